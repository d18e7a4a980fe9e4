"""Routing from the cache (portal.pagecache.route_below, used by the home page's `route`): a page is
found with no query once its address is known, follows every change, and each request gets its own copy;
anything else routes as Wagtail does."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from home.models import GuidancePage
from portal.pagecache import route_below

pytestmark = pytest.mark.usefixtures("no_page_cache")

MANIFESTO = "/guidance/draft-manifesto/"


def test_a_page_is_found_with_no_query_once_its_address_is_known(home_page, django_assert_num_queries):
    request = RequestFactory().get(MANIFESTO)
    route_below(home_page, request, ["guidance", "draft-manifesto"])
    with django_assert_num_queries(0):
        page, args, kwargs = route_below(home_page, request, ["guidance", "draft-manifesto"])
    assert isinstance(page, GuidancePage) and page.slug == "draft-manifesto"
    assert route_below(home_page, request, ["guidance", "no-such-page"]) is None


def test_each_request_gets_its_own_copy_of_the_page(home_page):
    request = RequestFactory().get(MANIFESTO)
    first, _, _ = route_below(home_page, request, ["guidance", "draft-manifesto"])
    first.title = "Changed by one request only"
    second, _, _ = route_below(home_page, request, ["guidance", "draft-manifesto"])
    assert second is not first and second.title != "Changed by one request only"


def test_an_edit_is_served_at_once(client, home_page):
    assert client.get(MANIFESTO).status_code == 200
    page = GuidancePage.objects.get(url_path__endswith="/draft-manifesto/")
    page.title = "A manifesto, revised"
    page.save_revision().publish()
    assert "A manifesto, revised" in client.get(MANIFESTO).content.decode()


def test_addresses_follow_a_new_slug_a_move_and_unpublishing(client, home_page):
    assert client.get(MANIFESTO).status_code == 200
    page = GuidancePage.objects.get(url_path__endswith="/draft-manifesto/")
    page.slug = "manifesto"
    page.save_revision().publish()
    assert client.get(MANIFESTO).status_code == 404
    assert client.get("/guidance/manifesto/").status_code == 200
    page.refresh_from_db()
    page.move(home_page, pos="last-child")
    old = client.get("/guidance/manifesto/")  # Wagtail's redirects send the old address on
    assert old.status_code == 301 and old["Location"] == "/manifesto/"
    assert client.get("/manifesto/").status_code == 200
    page.refresh_from_db()
    page.unpublish()
    assert client.get("/manifesto/").status_code == 404
    with pytest.raises(Http404):
        route_below(home_page, RequestFactory().get("/manifesto/"), ["manifesto"])


def test_paths_that_are_no_page_are_still_404(client, home_page):
    for path in ["/guidance/draft-manifesto/extra/", "/no/such/place/", "/guidance/%20spaced%20/"]:
        assert client.get(path).status_code == 404, path
