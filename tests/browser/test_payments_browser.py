import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPLANATION = "2 h 10 min meeting or workshop, rounded to 2 h 15 min, at £27.50/h = £61.88"


@pytest.fixture
def site(transactional_db):
    from home.demo import DEMO_PASSWORD, build_page_tree, build_users
    from payments.demo import build_policy

    home, _index, _ = build_page_tree()
    build_users()
    build_policy()
    return DEMO_PASSWORD


def test_contributor_records_a_claim_and_a_coordinator_approves_it(site, live_server, page, browser):
    password = site
    sign_in(page, live_server, "contributor@example.org", password)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto(live_server.url + "/involvement/")
    expect(page.get_by_role("heading", name="My involvement", level=1)).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Record a claim").click()
    expect(page.get_by_role("heading", name="Record a claim")).to_be_visible()
    assert_no_axe_violations(page)
    # Errors are accessible too.
    page.get_by_role("button", name="Check the amount").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_label("Date of the work").fill("2026-01-14")
    page.get_by_label("What you did").select_option("meeting")
    page.get_by_label("Hours (required)", exact=True).fill("2")
    page.get_by_label("Minutes", exact=True).fill("10")
    page.get_by_label("Project or event").fill("Community workshop")
    page.get_by_role("button", name="Check the amount").click()
    expect(page.get_by_text(EXPLANATION, exact=True)).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("button", name="Submit claim")).to_be_visible()
    expect(page.get_by_text(EXPLANATION, exact=True)).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Submit claim").click()
    expect(page.locator("#claim-status")).to_have_text("Submitted")
    claim_url = page.url

    # A coordinator approves it in the Wagtail admin.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = context.new_page()
    admin.set_default_timeout(15_000)
    try:
        sign_in(admin, live_server, "coordinator@example.org", password)
        expect(admin.get_by_role("button", name="Sign out")).to_be_visible()
        admin.goto(live_server.url + "/admin/payments_claims/queue/")
        admin.get_by_role("link", name=re.compile("Meeting or workshop on 14 Jan 2026")).click()
        expect(admin.get_by_text(EXPLANATION, exact=True)).to_be_visible()
        admin.get_by_role("button", name="Approve £61.88").click()
        expect(admin.get_by_text(re.compile("Approved: .* for £61.88"))).to_be_visible()
        expect(admin.locator("#claim-status")).to_have_text("Approved")
    finally:
        context.close()

    # The contributor sees it approved.
    page.goto(claim_url)
    expect(page.locator("#claim-status")).to_have_text("Approved")
    page.goto(live_server.url + "/involvement/")
    expect(page.get_by_role("cell", name="Approved")).to_be_visible()
    assert_no_axe_violations(page)


def test_payment_choices_page_is_accessible(site, live_server, page):
    sign_in(page, live_server, "contributor@example.org", site)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(live_server.url + "/involvement/profile/")
    assert_no_axe_violations(page)
    page.get_by_label("Donate my payment to a charity").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Charity (if you chose to donate)").fill("Mind")
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()


def test_my_involvement_works_without_javascript(site, live_server, nojs_page):
    sign_in(nojs_page, live_server, "contributor@example.org", site)
    expect(nojs_page.get_by_role("button", name="Sign out")).to_be_visible()
    nojs_page.goto(live_server.url + "/involvement/claims/new/")
    nojs_page.get_by_label("Date of the work").fill("2025-07-01")
    nojs_page.get_by_label("Hours (required)", exact=True).fill("1")
    nojs_page.get_by_label("Project or event").fill("Reading group")
    nojs_page.get_by_role("button", name="Save as a draft").click()
    expect(nojs_page.get_by_role("button", name="Submit claim")).to_be_visible()
    nojs_page.get_by_role("button", name="Submit claim").click()
    expect(nojs_page.locator("#claim-status")).to_have_text("Submitted")
