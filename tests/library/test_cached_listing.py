"""The library page and the page cache (portal/cache.py): a listing is stored only for the query it
applied, written canonically (`ResourceFilterSet.applied`); anything invalid, reported, a default
or unknown is rendered every time, and a change to a resource is seen at once."""

import pytest


@pytest.fixture
def resources(make_resource, taxonomy):
    return [
        make_resource(title="Ethics toolkit", resource_type=taxonomy["toolkit"], topics=[taxonomy["ethics"]]),
        make_resource(title="Paying people", resource_type=taxonomy["paper"], is_free=False, year=2020),
    ]


def served(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get("X-Page-Cache")


@pytest.mark.parametrize(
    "query",
    [
        "",
        "type=toolkit&topic=ethics",
        "topic=ethics&type=toolkit",
        "free=1&year_from=2019&year_to=2021",
        "sort=title",
        "q=toolkit",
        "q=toolkit&sort=newest",
    ],
)
def test_a_listing_is_stored_for_the_query_it_applied(client, library, resources, query):
    url = f"{library.url}?{query}"
    assert served(client, url) == "miss"
    assert served(client, url) == "hit"


@pytest.mark.parametrize(
    "query",
    [
        "sort=newest",  # the default sort
        "q=toolkit&sort=relevance",  # the default sort when searching
        "sort=relevance",  # means newest without a search
        "type=nonsense",  # reported above the form
        "type=toolkit&type=nonsense",
        "year_from=abc",
        "year_from=2025&year_to=2000",
        "free=yes",  # applied, but "1" is how the listing writes it
        "page=2",  # there is one page only
        "page=abc",
        "utm_source=newsletter",
    ],
)
def test_anything_else_is_rendered_every_time(client, library, resources, query):
    url = f"{library.url}?{query}"
    assert served(client, url) is None
    assert served(client, url) is None


def test_page_one_is_the_listing_itself(client, library, resources):
    assert served(client, library.url) == "miss"
    assert served(client, f"{library.url}?page=1") == "hit"


def test_a_second_page_is_stored_while_it_exists(client, library, make_resource):
    for n in range(25):
        make_resource(title=f"Resource {n:02d}")
    assert served(client, f"{library.url}?page=2") == "miss"
    assert served(client, f"{library.url}?page=2") == "hit"
    assert served(client, f"{library.url}?page=3") is None


def test_a_changed_resource_is_seen_at_once(client, library, resources):
    url = f"{library.url}?type=toolkit"
    served(client, url)
    assert served(client, url) == "hit"
    resource = resources[0]
    resource.title = "Ethics toolkit, revised"
    resource.save_revision().publish()
    response = client.get(url)
    assert response.get("X-Page-Cache") == "miss"
    assert "Ethics toolkit, revised" in response.content.decode()
