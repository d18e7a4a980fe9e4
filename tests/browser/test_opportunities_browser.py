"""A person with no account, on a phone, finds an opportunity from the home page, sees what it pays and
why, applies with access needs, gets the confirmation with its signed link, changes and withdraws the
application: with JavaScript on and off, axe-clean on every page on the way."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def opportunity(transactional_db):
    from home.demo import build_page_tree
    from opportunities.factories import OpportunityIndexPageFactory, OpportunityPageFactory
    from payments.factories import build_policy

    build_policy(datetime.date(2024, 4, 1), Decimal("25.00"))
    home, _index, _ = build_page_tree()
    index = OpportunityIndexPageFactory(parent=home)
    page = OpportunityPageFactory(parent=index, title="Lived experience panel", slug="panel")
    page.save_revision().publish()
    return page


@pytest.fixture(params=["javascript", "no javascript"])
def phone(browser, request):
    context = browser.new_context(
        java_script_enabled=request.param == "javascript",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_apply_change_and_withdraw_on_a_phone(opportunity, live_server, phone):
    from django.core import mail

    page = phone
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Lived experience panel").click()
    expect(page.locator("h1")).to_have_text("Lived experience panel")
    pay = page.locator("#pay")
    expect(pay).to_contain_text("pays £81.25")
    expect(pay.locator(".explanation__lines li").first).to_contain_text("rounded to 2 h 15 min, at £25.00/h")
    assert_no_axe_violations(page)

    # A mistake first: the form comes back with the error tied to its field and the input kept.
    page.get_by_label("Your name").fill("Amira Hassan")
    page.get_by_label("Email address").fill("amira@example")
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Amira Hassan")
    assert_no_axe_violations(page)

    page.get_by_label("Email address").fill("amira@example.org")
    page.get_by_label("Why would you like to join?").fill("I left hospital last year.")
    page.get_by_label("Access needs (optional)").fill("Papers in large print")
    page.get_by_label("You may contact me about this opportunity").check()
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator("h1")).to_contain_text("Your application")
    expect(page.locator(".application-status")).to_have_text("Received")
    expect(page.get_by_text("Papers in large print").first).to_be_visible()
    assert_no_axe_violations(page)

    [message] = [m for m in mail.outbox if m.to == ["amira@example.org"]]
    link = re.search(r"https?://[^/\s]+(/applications/[^/\s]+/)", message.body).group(1)
    page.goto(live_server.url + link)
    page.get_by_label("Access needs (optional)").fill("Papers in large print and a BSL interpreter")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes are saved")).to_be_visible()
    expect(page.get_by_text("a BSL interpreter").first).to_be_visible()

    page.get_by_role("button", name="Withdraw my application").click()
    expect(page.get_by_text("Your application has been withdrawn")).to_be_visible()
    expect(page.locator(".application-status")).to_have_text("Withdrawn")
    assert_no_axe_violations(page)


def test_index_and_closed_pages_are_accessible(opportunity, live_server, page):
    page.goto(live_server.url + "/get-involved/")
    expect(page.get_by_role("link", name="Lived experience panel")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Kind of role").select_option("reviewer")
    page.get_by_role("button", name="Show opportunities").click()
    expect(page.get_by_text("No opportunities match")).to_be_visible()
    page.goto(live_server.url + "/get-involved/?show=closed")
    expect(page.locator("h1")).to_have_text("Closed opportunities")
    assert_no_axe_violations(page)
