import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(transactional_db):
    from home.demo import build_page_tree, build_users

    home, index, _ = build_page_tree()
    build_users()
    return home


def test_home_page_is_accessible(site, live_server, page):
    page.goto(live_server.url + "/")
    expect(page.locator("h1").first).to_have_text(site.title)
    assert_no_axe_violations(page)


def test_skip_link_moves_focus_to_main(site, live_server, page):
    page.goto(live_server.url + "/")
    skip = page.locator(".skip-link")
    expect(page.locator("h1").first).to_be_visible()
    # Each step's outcome is waited for (a busy machine may take its time), never assumed at once.
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main-content$"))
    expect(page.locator("#main-content")).to_be_focused()


def test_guidance_page_with_feedback_form_is_accessible(site, live_server, page):
    page.goto(live_server.url + "/guidance/draft-manifesto/")
    expect(page.locator("h1")).to_contain_text("Draft manifesto")
    assert_no_axe_violations(page)
    # Errors: the summary and the field messages must be accessible too.
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Your comments").fill("Please add a commitment about paying expenses in advance.")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Thank you")).to_be_visible()


def test_search_page_is_accessible(site, live_server, page):
    page.goto(live_server.url + "/search/?q=power")
    expect(page.get_by_role("status").first).to_have_text(re.compile(r"^[123] results?\b"))
    assert_no_axe_violations(page)


def test_sign_in_page_is_accessible_and_signs_in(site, live_server, page):
    page.goto(live_server.url + "/account/sign-in/")
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill("editor@example.org")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Password").fill("co-produce-2026")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_guidance_works_without_javascript_on_a_phone(site, live_server, nojs_page):
    # axe-core needs JavaScript, so this page is checked for behaviour; the JS run above checks access.
    nojs_page.goto(live_server.url + "/guidance/sharing-power/")
    nojs_page.locator("details summary").first.click()
    expect(nojs_page.locator("details").first).to_have_attribute("open", "")
    nojs_page.goto(live_server.url + "/guidance/draft-manifesto/")
    nojs_page.get_by_label("Your comments").fill("Works on my phone without scripts.")
    nojs_page.get_by_role("button", name="Send feedback").click()
    expect(nojs_page.get_by_text("Thank you")).to_be_visible()
