"""The library on a phone (issue 22, item 7): the filters fold behind a native "Filter" control that
says how many filters are in force, a submitted search lands on its results, and a resource with no
link and no file says so plainly instead of only "Free to access"."""

import pytest

pytestmark = pytest.mark.django_db


def test_filters_fold_behind_a_filter_control_that_counts_active_filters(client, library, make_resource):
    make_resource(title="Toolkit for panels")

    html = client.get(library.url).content.decode()
    assert '<details class="library__more" data-library-more>' in html  # folded: no `open`
    assert "<summary" in html and ">Filter<" in html
    assert f'action="{library.url}#library-results"' in html

    html = client.get(library.url, {"q": "panels", "free": "1", "year_from": "2000"}).content.decode()
    # The search words are in the search box, not counted among the folded filters.
    assert '(2 active<span class="visually-hidden"> filters</span>)' in html


def test_filters_open_when_one_was_not_understood(client, library, make_resource):
    make_resource()
    html = client.get(library.url, {"year_from": "abc"}).content.decode()
    assert '<details class="library__more" data-library-more open>' in html


def test_the_result_count_is_announced_and_can_take_focus(client, library, make_resource):
    make_resource()
    html = client.get(library.url).content.decode()
    assert 'role="status" aria-live="polite" aria-atomic="true" id="library-status" tabindex="-1"' in html


def test_a_resource_without_link_or_file_says_so(client, library, make_resource):
    resource = make_resource(title="Paper with no link", external_url="", author="NIHR", year=2021)

    card = client.get(library.url).content.decode()
    assert "No link or file here yet" in card

    page = client.get(resource.url).content.decode()
    assert "We have no link to this resource and no copy of it here yet" in page
    assert "search the web for its title and “NIHR” (2021)" in page
    assert "Go to the resource" not in page


def test_a_resource_with_a_link_offers_it_and_no_apology(client, library, make_resource):
    resource = make_resource(title="Linked toolkit", external_url="https://example.org/toolkit")

    assert "No link or file here yet" not in client.get(library.url).content.decode()
    page = client.get(resource.url).content.decode()
    assert "Go to the resource" in page
    assert "no link to this resource" not in page
