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
    yield page, request.param == "javascript"
    context.close()


def test_apply_change_and_withdraw_on_a_phone(opportunity, live_server, phone):
    from django.core import mail

    page, scripts_on = phone

    def check_axe():
        # axe-core runs in the page, so only with JavaScript on; the pages are the same without it.
        if scripts_on:
            assert_no_axe_violations(page)

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Lived experience panel").click()
    expect(page.locator("h1")).to_have_text("Lived experience panel")
    pay = page.locator("#pay")
    expect(pay).to_contain_text("pays £81.25")
    expect(pay.locator(".explanation__lines li").first).to_contain_text("rounded to 2 h 15 min, at £25.00/h")
    check_axe()

    # A mistake first: the form comes back with the error tied to its field and the input kept.
    page.get_by_label("Your name").fill("Amira Hassan")
    page.get_by_label("Email address").fill("amira@example")
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Amira Hassan")
    check_axe()

    page.get_by_label("Email address").fill("amira@example.org")
    page.get_by_label("Why would you like to join?").fill("I left hospital last year.")
    page.get_by_label("Access needs (optional)").fill("Papers in large print")
    page.get_by_label("You may contact me about this opportunity").check()
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator("h1")).to_contain_text("Your application")
    expect(page.locator(".application-status")).to_have_text("Received")
    expect(page.get_by_text("Papers in large print").first).to_be_visible()
    check_axe()

    [message] = [m for m in mail.outbox if m.to == ["amira@example.org"]]
    link = re.search(r"https?://[^/\s]+(/applications/[^/\s]+/)", message.body).group(1)
    page.goto(live_server.url + link)
    page.get_by_label("Access needs (optional)").fill("Papers in large print and a BSL interpreter")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your changes are saved")).to_be_visible()
    expect(page.get_by_text("a BSL interpreter").first).to_be_visible()

    # Withdrawing asks first, and can be undone.
    page.get_by_role("link", name="Withdraw my application").click()
    expect(page.locator("h1")).to_have_text("Are you sure you want to withdraw your application?")
    check_axe()
    page.get_by_role("link", name="No, keep my application").click()
    expect(page.locator(".application-status")).to_have_text("Received")
    page.get_by_role("link", name="Withdraw my application").click()
    page.get_by_role("button", name="Yes, withdraw my application").click()
    expect(page.get_by_text("Your application has been withdrawn")).to_be_visible()
    expect(page.locator(".application-status")).to_have_text("Withdrawn")
    check_axe()
    page.get_by_role("button", name="Undo: keep my application").click()
    expect(page.get_by_text("Your application is back as it was")).to_be_visible()
    expect(page.locator(".application-status")).to_have_text("Received")


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


def test_coordinator_selects_and_the_new_contributor_claims_against_the_role(
    opportunity, live_server, browser, user_factory
):
    """Shortlist, offer and accept in the admin; the applicant gets each e-mail, sets a password from the
    acceptance e-mail and claims a session against the role, at the amount the opportunity page showed."""
    from django.core import mail

    from opportunities import services

    from .conftest import sign_in

    user_factory(email="cora@example.org", groups=["Coordinators"])
    services.apply(
        opportunity,
        data={
            "name": "Amira Hassan",
            "email": "amira@example.org",
            "preferred_contact": "email",
            "answers": [],
            "access_needs": "Large print",
            "consent_to_contact": True,
        },
    )
    admin = browser.new_context().new_page()
    admin.set_default_timeout(15_000)
    sign_in(admin, live_server, "cora@example.org")
    admin.goto(live_server.url + "/admin/applications/")
    admin.get_by_role("link", name="Amira Hassan").click()
    expect(admin.get_by_text("Large print")).to_be_visible()
    for button, status in (
        ("Shortlist", "Shortlisted"),
        ("Offer a place", "Offered a place"),
        ("Record that they accepted", "Accepted"),
    ):
        admin.get_by_role("button", name=button).click()
        expect(admin.locator("[data-status]")).to_have_text(status)
    subjects = [m.subject.split(":")[0] for m in mail.outbox if m.to == ["amira@example.org"]]
    assert subjects == [
        "We have your application",
        "You are on the shortlist",
        "We would like to offer you a place",
        "Welcome",
    ]
    welcome = mail.outbox[-1].body
    set_password = re.search(r"https?://[^/\s]+(/account/password-reset/\S+/)", welcome).group(1)

    person = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    person.set_default_timeout(15_000)
    person.goto(live_server.url + set_password)
    expect(person.locator("h1")).to_have_text("Choose a new password")
    person.locator("#id_new_password1").fill("a long new passphrase 42")
    person.locator("#id_new_password2").fill("a long new passphrase 42")
    person.get_by_role("button", name="Save password").click()
    sign_in(person, live_server, "amira@example.org", "a long new passphrase 42")
    person.goto(live_server.url + "/involvement/claims/new/")
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    person.get_by_label("Date of the work").fill(yesterday.isoformat())
    person.get_by_label("What you did").select_option("meeting")
    person.get_by_label("Hours (required)", exact=True).fill("2")
    person.get_by_label("Minutes", exact=True).fill("10")
    person.get_by_label("Preparation hours").fill("1")
    person.get_by_label("Project or event").fill("Panel meeting")
    person.get_by_label("Your role (optional)").select_option(label="Lived experience panel")
    person.get_by_role("button", name="Save as a draft").click()
    expect(person.get_by_text("Total: £81.25")).to_be_visible()
    expect(person.get_by_text("Lived experience panel").first).to_be_visible()
    assert_no_axe_violations(person)
