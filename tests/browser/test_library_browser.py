import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def library(transactional_db):
    from home.demo import build_page_tree
    from library.demo import build_library, build_resources, build_taxonomy

    home, _index, _ = build_page_tree()
    build_taxonomy()
    library = build_library(home)
    build_resources(library)
    return library


def status(page):
    return page.locator("#library-status")


def test_filter_clear_and_page_with_javascript(library, live_server, page):
    from library.models import ResourcePage

    total = ResourcePage.objects.live().child_of(library).count()
    ethics = ResourcePage.objects.live().child_of(library).filter(topics__slug="ethics").count()
    page.goto(live_server.url + library.url)
    expect(status(page)).to_have_text(re.compile(rf"^{total} resources, page 1 of"))

    # Ticking a box updates the results in place and the address, without a submit.
    page.locator("#filter-topic-ethics").check()
    expect(page).to_have_url(re.compile(r"\?topic=ethics$"))
    expect(status(page)).to_have_text(f"{ethics} resources match your filters")
    expect(page.locator(".chip")).to_have_text(re.compile("Topic: Ethics"))
    expect(page.locator(".resource-card")).to_have_count(ethics)

    # Narrow further with the free-text search and the button.
    page.get_by_label("Search the library").fill("research")
    page.get_by_role("button", name="Show resources").click()
    expect(page).to_have_url(re.compile(r"q=research"))
    expect(page.locator(".chip")).to_have_count(2)

    page.get_by_role("link", name="Clear all filters").click()
    expect(status(page)).to_have_text(re.compile(rf"^{total} resources, page 1 of"))
    expect(page.locator("#filter-topic-ethics")).not_to_be_checked()

    page.get_by_role("link", name="Next page").click()
    expect(status(page)).to_have_text(re.compile(r"page 2 of"))
    expect(page).to_have_url(re.compile(r"page=2"))


def test_filter_clear_and_page_without_javascript(library, live_server, nojs_page):
    from library.models import ResourcePage

    page = nojs_page
    total = ResourcePage.objects.live().child_of(library).count()
    researchers = ResourcePage.objects.live().child_of(library).filter(audiences__slug="researchers").count()
    assert researchers > 20  # so there is a second page to go to

    page.goto(live_server.url + library.url)
    page.locator("summary", has_text="Filter").click()  # folded on a phone
    page.locator("#filter-audience-researchers").check()
    page.get_by_role("button", name="Show resources").click()
    expect(page).to_have_url(re.compile(r"audience=researchers"))
    expect(status(page)).to_have_text(
        re.compile(rf"^{researchers} resources match your filters, page 1 of 2")
    )

    # Paging keeps the filter.
    page.get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"audience=researchers.*page=2"))
    expect(status(page)).to_have_text(re.compile(r"page 2 of 2"))
    expect(page.locator("#filter-audience-researchers")).to_be_checked()

    # Removing the chip removes the filter.
    page.get_by_role("link", name=re.compile("Audience: Researchers")).click()
    expect(status(page)).to_have_text(re.compile(rf"^{total} resources, page 1 of"))

    # A search that finds nothing shows the empty state, which offers to clear filters.
    page.get_by_label("Search the library").fill("xylophonequartz")
    page.get_by_role("button", name="Show resources").click()
    expect(page.get_by_role("heading", name="Nothing matched")).to_be_visible()
    page.get_by_role("link", name="clear all filters").first.click()
    expect(status(page)).to_have_text(re.compile(rf"^{total} resources"))


def test_library_and_resource_pages_are_accessible(library, live_server, page):
    from library.models import ResourcePage

    page.goto(live_server.url + library.url + "?topic=ethics&year_from=abc")
    expect(page.locator(".library__problems")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(live_server.url + library.url + "?q=xylophonequartz")
    expect(page.get_by_role("heading", name="Nothing matched")).to_be_visible()
    assert_no_axe_violations(page)
    resource = ResourcePage.objects.live().child_of(library).filter(is_featured=True).first()
    page.goto(live_server.url + resource.url)
    expect(page.locator("h1")).to_have_text(resource.title)
    assert_no_axe_violations(page)


def test_phone_shows_results_first_and_filters_behind_a_control_without_javascript(
    library, live_server, browser
):
    """At 320 px the filters fold behind "Filter" (a native <details>), so the first result is near
    the top; the control opens without JavaScript, and a submitted filter lands on its results."""
    from library.models import ResourcePage

    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(live_server.url + library.url)
        ethics = page.locator("#filter-topic-ethics")
        expect(ethics).to_be_hidden()
        first_result = page.locator(".resource-card").first
        top = first_result.evaluate("card => card.getBoundingClientRect().top + window.scrollY")
        assert top < 2000, f"the first result starts {top:.0f} px down the page"
        assert page.evaluate("document.documentElement.scrollWidth") <= 320

        page.get_by_text("Filter", exact=True).click()
        expect(ethics).to_be_visible()
        ethics.check()
        page.get_by_role("button", name="Show resources").click()

        expect(page).to_have_url(re.compile(r"topic=ethics.*#library-results$"))
        count = ResourcePage.objects.live().child_of(library).filter(topics__slug="ethics").count()
        expect(status(page)).to_have_text(f"{count} resources match your filters")
        # The results are what the reader sees, not the top of the form again.
        expect(status(page)).to_be_in_viewport()
        expect(page.locator("summary")).to_have_text(re.compile(r"Filter \(1 active filter\)"))
        expect(page.locator("#filter-topic-ethics")).to_be_hidden()
    finally:
        context.close()


def test_wide_screen_shows_the_filters_unfolded_without_javascript(library, live_server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server.url + library.url)
        expect(page.locator("#filter-topic-ethics")).to_be_visible()
        expect(page.locator("summary")).to_be_hidden()
    finally:
        context.close()


def test_show_resources_moves_focus_to_the_announced_count_with_javascript(library, live_server, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(live_server.url + library.url)
        page.get_by_label("Search the library").fill("research")
        page.get_by_role("button", name="Show resources").click()
        expect(page).to_have_url(re.compile(r"q=research"))
        expect(status(page)).to_be_focused()
        expect(status(page)).to_have_attribute("aria-live", "polite")
        expect(status(page)).to_be_in_viewport()
    finally:
        context.close()
