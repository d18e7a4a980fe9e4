from datetime import timedelta

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def one_seat_event(transactional_db):
    from django.utils import timezone

    from events.factories import EventIndexPageFactory, EventPageFactory
    from home.demo import build_page_tree

    home, _index, _ = build_page_tree()
    index = EventIndexPageFactory(parent=home)
    start = (timezone.now() + timedelta(days=10)).replace(microsecond=0)
    event = EventPageFactory(
        parent=index,
        title="Planning workshop",
        slug="planning-workshop",
        capacity=1,
        waiting_list_enabled=True,
        start=start,
        end=start + timedelta(hours=2),
        access_provisions=["step_free", "bsl", "quiet_room"],
    )
    event.save_revision().publish()
    return event


def register(page, live_server, name, email):
    page.goto(f"{live_server.url}/events/planning-workshop/")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Register").or_(
        page.get_by_role("button", name="Join the waiting list")
    ).click()
    expect(page.locator("h1")).to_contain_text("Your place")
    return page.url.split("?")[0]


def test_register_cancel_and_waiting_list_promotion(one_seat_event, live_server, page):
    from django.core import mail

    first = register(page, live_server, "Ana First", "ana@example.org")
    expect(page.locator(".registration-status")).to_have_text("Confirmed")
    assert_no_axe_violations(page)  # the manage page, with its change and cancel forms
    second = register(page, live_server, "Bo Second", "bo@example.org")
    expect(page.locator(".registration-status")).to_have_text("On the waiting list")

    expect(page.locator(".waiting-position")).to_contain_text("Number 1")

    page.goto(first)
    page.get_by_role("link", name="Cancel my place").click()
    expect(page.locator("h1")).to_have_text("Are you sure you want to cancel your place?")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Yes, cancel my place").click()
    expect(page.get_by_text("Your place has been cancelled")).to_be_visible()
    expect(page.locator(".registration-status")).to_have_text("Cancelled")
    expect(page.locator(".event-facts")).not_to_contain_text("Seats")

    page.goto(second)
    expect(page.locator(".registration-status")).to_have_text("Confirmed")
    assert any(m.to == ["bo@example.org"] and m.subject.startswith("Good news") for m in mail.outbox)

    # Bo was promoted into the seat: undoing offers Ana the waiting list and never takes it back.
    page.goto(first)
    page.get_by_role("button", name="Undo: keep my place").click()
    expect(page.get_by_role("heading", name="Your seat has gone")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.locator(".registration-status")).to_have_text("On the waiting list")
    expect(page.locator(".waiting-position")).to_contain_text("Number 1")
    page.goto(second)
    expect(page.locator(".registration-status")).to_have_text("Confirmed")


def test_cancel_asks_first_and_is_undone_without_javascript(one_seat_event, live_server, nojs_page):
    page = nojs_page
    mine = register(page, live_server, "No Script", "nojs@example.org")
    expect(page.locator(".event-facts")).to_contain_text("UK time")
    page.get_by_role("link", name="Cancel my place").click()
    page.get_by_role("link", name="No, keep my place").click()
    expect(page.locator(".registration-status")).to_have_text("Confirmed")
    page.get_by_role("link", name="Cancel my place").click()
    page.get_by_role("button", name="Yes, cancel my place").click()
    expect(page.locator(".registration-status")).to_have_text("Cancelled")
    page.get_by_role("button", name="Undo: keep my place").click()
    expect(page.get_by_text("Your place is back")).to_be_visible()
    expect(page.locator(".registration-status")).to_have_text("Confirmed")
    assert page.url.split("?")[0] == mine


def test_a_signed_in_member_already_booked_sees_their_place(one_seat_event, live_server, page):
    from accounts.factories import UserFactory

    from .conftest import sign_in

    UserFactory(email="kim@example.org", first_name="Kim", last_name="Member")
    sign_in(page, live_server, "kim@example.org")
    register(page, live_server, "Kim Member", "kim@example.org")
    page.goto(f"{live_server.url}/events/planning-workshop/")
    expect(page.get_by_text("You're booked")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_count(0)
    assert_no_axe_violations(page)
    page.get_by_role("link", name="manage your place").click()
    expect(page.locator("h1")).to_have_text("Your place: Planning workshop")
    expect(page.locator(".registration-status")).to_have_text("Confirmed")


def test_event_pages_are_accessible(one_seat_event, live_server, page):
    page.goto(f"{live_server.url}/events/")
    expect(page.get_by_role("link", name="Planning workshop")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Planning workshop").click()
    expect(page.locator("h1")).to_have_text("Planning workshop")
    expect(page.locator(".provision-list").get_by_text("BSL interpreters")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)


def test_registration_works_without_javascript(one_seat_event, live_server, nojs_page):
    register(nojs_page, live_server, "No Script", "nojs@example.org")
    expect(nojs_page.locator(".registration-status")).to_have_text("Confirmed")
