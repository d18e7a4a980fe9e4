"""Editors create resources in the Wagtail admin; the page rules hold."""

import pytest
from wagtail.test.utils.form_data import nested_form_data, streamfield

from library.models import LibraryPage, ResourcePage


def resource_form(taxonomy, **overrides):
    data = {
        "title": "Fair pay guide",
        "slug": "fair-pay-guide",
        "summary": "How to pay contributors fairly.",
        "body": streamfield([]),
        "resource_type": taxonomy["toolkit"].pk,
        "author": "Co-Production Collective",
        "year": "2024",
        "external_url": "https://example.org/pay",
        "is_free": "on",
        "document": "",
    }
    data.update(overrides)
    form = nested_form_data(data)
    # Multiple choices are sent as repeated keys (nested_form_data would number them).
    form["topics"] = [taxonomy["payment"].pk, taxonomy["ethics"].pk]
    form["audiences"] = [taxonomy["public"].pk]
    return form


def add_url(library):
    return f"/admin/pages/add/library/resourcepage/{library.pk}/"


def test_admin_creates_a_resource_and_saves_every_field(client, superuser, library, taxonomy):
    client.force_login(superuser)
    response = client.post(add_url(library), {**resource_form(taxonomy), "action-publish": "action-publish"})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    page = ResourcePage.objects.get(slug="fair-pay-guide")
    assert page.live and page.get_parent().pk == library.pk
    assert page.summary == "How to pay contributors fairly."
    assert page.resource_type == taxonomy["toolkit"]
    assert {t.slug for t in page.topics.all()} == {"payment", "ethics"}
    assert [a.slug for a in page.audiences.all()] == ["public"]
    assert page.year == 2024 and page.author == "Co-Production Collective"
    assert page.external_url == "https://example.org/pay" and page.is_free and not page.is_featured


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/file", "data:text/html,hi"])
def test_admin_refuses_links_that_are_not_http(client, superuser, library, taxonomy, url):
    client.force_login(superuser)
    response = client.post(add_url(library), resource_form(taxonomy, external_url=url))
    assert response.status_code == 200
    assert "external_url" in response.context["form"].errors
    assert not ResourcePage.objects.filter(slug="fair-pay-guide").exists()


def test_page_rules(library):
    assert LibraryPage.parent_page_types == ["home.HomePage"]
    assert ResourcePage.parent_page_types == ["library.LibraryPage"]
    assert ResourcePage.subpage_types == []
    assert ResourcePage.can_create_at(library)
    assert not ResourcePage.can_create_at(library.get_parent())
