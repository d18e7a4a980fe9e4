"""The public API checks every query parameter before it reaches a query (portal/api.py): anything it
cannot use is a 400 with a JSON message naming the parameter, never a 500. Run on SQLite and on
PostgreSQL, where a NUL byte and a number past 64 bits were database errors."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from library.factories import LibraryPageFactory, ResourcePageFactory, TopicFactory


@pytest.fixture
def resource(home_page):
    library = LibraryPageFactory(parent=home_page)
    topic = TopicFactory(name="Ethics")
    page = ResourcePageFactory(parent=library, title="Paying people fairly", year=2024, topics=[topic])
    page.save_revision().publish()
    return page


def get(client, path, **params):
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params.items())
    return client.get(f"{path}?{query}" if query else path)


BAD = [
    # (endpoint, parameter, value, words the message must hold)
    ("pages", "search", "\x00", "search contains a NUL character"),
    ("pages", "search", "a\x00b", "search contains a NUL character"),
    ("pages", "offset", "99999999999999999999999999", "offset must be a whole number from 0 to 2147483647"),
    ("pages", "offset", "9223372036854775808", "offset must be a whole number"),
    ("pages", "offset", "-1", "offset must be a whole number"),
    ("pages", "offset", "²", "offset must be a whole number"),
    ("pages", "limit", "1e309", "limit must be a whole number"),
    ("pages", "child_of", "99999999999999999999", "child_of must be a page id"),
    ("pages", "descendant_of", "x", "descendant_of must be a page id"),
    ("pages", "ancestor_of", "root", "ancestor_of must be a page id"),
    ("pages", "translation_of", "-5", "translation_of must be a page id"),
    ("pages", "id", "10000000000000000000000", "id must be a page id"),
    ("pages", "alias_of", "99999999999999999999999999", "alias_of must be an id"),
    ("pages", "first_published_at", "2025-13-45", "first_published_at must be a date and time"),
    ("pages", "first_published_at", "0000-00-00", "first_published_at must be a date and time"),
    ("pages", "locale", "en\x00", "locale contains a NUL character"),
    ("pages", "slug", "x\x00", "slug contains a NUL character"),
    ("pages", "title", "x" * 501, "title must be at most 500 characters long"),
    ("pages", "type", "nosuch.Model", "type doesn't exist"),
    ("resources", "search", "\x00", "search contains a NUL character"),
    ("resources", "offset", "99999999999999999999999999", "offset must be a whole number"),
    ("resources", "topics", "x", "topics must be an id"),
    ("resources", "topics", "99999999999999999999", "topics must be an id"),
    ("resources", "resource_type", "10000000000000000000000000", "resource_type must be an id"),
    ("resources", "year", "99999999999", "year must be a whole number from 0 to"),
    ("resources", "year", "2024.5", "year must be a whole number"),
    ("resources", "type", "home.HomePage", "type must be library.ResourcePage"),
    ("resources", "author", "a\x00", "author contains a NUL character"),
]


@pytest.mark.parametrize(("endpoint", "name", "value", "message"), BAD)
def test_a_parameter_it_cannot_use_is_a_400_naming_it(client, resource, endpoint, name, value, message):
    for path in (f"/api/v2/{endpoint}/", f"/api/v2/{endpoint}/{resource.pk}/"):
        response = get(client, path, **{name: value})
        assert response.status_code == 400, (path, response.status_code)
        assert response["Content-Type"].startswith("application/json")
        assert message in response.json()["message"], response.json()


def test_a_nul_in_a_parameter_name_is_refused_too(client, resource):
    response = client.get("/api/v2/pages/?sea%00rch=x")
    assert response.status_code == 400
    assert "contains a NUL character" in response.json()["message"]


@pytest.mark.parametrize("text", ['"', "'\"", 'a"b', " ", "   "])
def test_searches_with_quotes_or_only_spaces_answer(client, resource, text):
    for path in ("/api/v2/pages/", "/api/v2/resources/"):
        response = get(client, path, search=text)
        assert response.status_code == 200, (path, text)
        assert response.json()["items"] == []
    # The site search and the library's search read the same backend.
    assert get(client, reverse("search"), q=text).status_code == 200
    assert get(client, resource.get_parent().url, q=text).status_code == 200


def test_good_parameters_still_filter(client, resource):
    def count(path, **params):
        response = get(client, path, **params)
        assert response.status_code == 200, response.content
        return response.json()["meta"]["total_count"]

    assert count("/api/v2/resources/", year="2024") == 1
    assert count("/api/v2/resources/", year="2023") == 0
    assert count("/api/v2/resources/", topics=str(resource.topics.get().pk)) == 1
    assert count("/api/v2/resources/", search="paying fairly") == 1
    assert count("/api/v2/resources/", search='"paying" fairly') == 1
    assert count("/api/v2/pages/", type="library.ResourcePage", child_of=str(resource.get_parent().pk)) == 1
    assert count("/api/v2/pages/", descendant_of="root", offset="0", limit="5") >= 1
    assert count("/api/v2/pages/", first_published_at=resource.first_published_at.isoformat()) == 1
    assert get(client, f"/api/v2/resources/{resource.pk}/", fields="year").json()["year"] == 2024


def test_find_with_an_id_that_is_none_finds_nothing(client, resource):
    assert get(client, "/api/v2/pages/find/", id="99999999999999999999").status_code == 404
    found = get(client, "/api/v2/pages/find/", id=str(resource.pk))
    assert found.status_code == 302
