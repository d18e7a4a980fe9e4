def test_library_page_renders(client, library, taxonomy, make_resource):
    make_resource(title="Ethics toolkit", resource_type=taxonomy["toolkit"], topics=[taxonomy["ethics"]])
    response = client.get(library.url)
    assert response.status_code == 200
    listing = response.context["listing"]
    assert listing["count"] == 1
    assert listing["resources"][0].topic_list == [taxonomy["ethics"]]
