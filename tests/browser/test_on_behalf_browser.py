"""A coordinator books a place for someone without e-mail through the admin, at 1280 px, then prints
their letter and finds them on the call list."""

import re
from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from tests.pdf import pdf_text

from .conftest import assert_no_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def full_event(transactional_db, user_factory):
    from django.utils import timezone

    from events import services
    from events.factories import EventIndexPageFactory, EventPageFactory
    from home.demo import build_page_tree

    home, _index, _ = build_page_tree()
    index = EventIndexPageFactory(parent=home)
    day = timezone.localdate() + timedelta(days=10)
    start = timezone.make_aware(datetime.combine(day, time(14, 0)))
    event = EventPageFactory(
        parent=index,
        title="Planning workshop",
        slug="planning-workshop",
        capacity=3,
        waiting_list_enabled=True,
        start=start,
        end=start + timedelta(hours=2),
    )
    event.save_revision().publish()
    services.register(event, data={"name": "Ana Online", "email": "ana@example.org"})
    coordinator = user_factory(email="cora@example.org", groups=["Coordinators"])
    return event, coordinator


def test_coordinator_books_a_person_without_email(full_event, live_server, page):
    from events.models import Registration

    event, coordinator = full_event
    sign_in(page, live_server, coordinator.email)
    page.goto(f"{live_server.url}/admin/event-attendees/{event.pk}/attendees/")
    page.get_by_role("link", name="Book a place for someone").click()
    expect(page.get_by_role("heading", name="Book a place for someone")).to_be_visible()
    assert_no_axe_violations(page)

    # Sent without a way to reach them: a clear message, nothing booked.
    page.get_by_label("Their name").fill("Olive Offline")
    page.get_by_role("button", name="Book the place").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error:"))
    assert not Registration.objects.filter(name="Olive Offline").exists()

    page.get_by_label("By post", exact=True).check()
    page.get_by_label("Phone number", exact=True).fill("0117 496 0123")
    page.get_by_label("Postal address", exact=True).fill("2 Mill Lane\nBristol\nBS2 2BB")
    page.get_by_label("Letter by post").check()
    page.get_by_label(re.compile("They agreed that we keep their phone number")).check()
    page.get_by_label("A carer or personal assistant (PA) is coming with them").check()
    page.get_by_label("Their carer's or PA's name (optional)").fill("Pat Helper")
    page.get_by_role("button", name="Book the place").click()

    # Three seats, one taken: Olive and her carer take the other two, as online.
    expect(page.get_by_text("Olive Offline has a confirmed place")).to_be_visible()
    registration = Registration.objects.get(name="Olive Offline")
    assert (registration.email, registration.seats, registration.status) == ("", 2, "confirmed")
    assert (registration.booked_via, registration.entered_by) == ("post", coordinator)
    expect(page.get_by_text("Booked by post")).to_be_visible()

    # The letter, with the event's details.
    response = page.request.get(
        f"{live_server.url}/admin/event-attendees/registrations/{registration.pk}/letter.pdf"
    )
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "Dear Olive Offline" in text and "Planning workshop" in text
    assert f"{event.local_start:%A %-d %B %Y}, 14:00 to 16:00" in text
    assert "Community Centre" in text and "You and your carer or PA (Pat Helper): 2 seats" in text

    # The call list: a letter to post, then marked done.
    page.goto(f"{live_server.url}/admin/event-attendees/call-list/")
    row = page.locator(f"#task-{registration.contact_tasks.get().pk}")
    expect(row.get_by_text("Letter by post")).to_be_visible()
    expect(row.get_by_role("link", name=re.compile("Print the letter"))).to_be_visible()
    assert_no_axe_violations(page)
    row.get_by_label("Note (optional)").fill("Posted first class")
    row.get_by_role("button", name=re.compile("Mark done")).click()
    expect(page.get_by_text("Nobody to contact.")).to_be_visible()
    assert registration.contact_tasks.get().outcome == "Posted first class"


def test_attendance_ticked_from_the_sheet(full_event, live_server, page):
    from events import services
    from events.models import Registration

    event, coordinator = full_event
    olive = services.register(
        event,
        data={"name": "Olive Offline", "phone": "0117 496 0123", "consent_to_keep_contact_details": True},
        entered_by=coordinator,
    ).registration
    sign_in(page, live_server, coordinator.email)
    page.goto(f"{live_server.url}/admin/event-attendees/{event.pk}/attendees/")
    page.get_by_role("link", name="Tick attendance from the sheet").click()
    expect(page.get_by_role("heading", name="Attendance from the sign-in sheet")).to_be_visible()
    assert_no_axe_violations(page)
    sheet = page.request.get(f"{live_server.url}/admin/event-attendees/{event.pk}/sign-in-sheet.pdf")
    text = pdf_text(sheet.body())
    assert text.index("Ana Online") < text.index("Olive Offline") and "Signature" in text
    page.locator(f"#registration-{olive.pk}").get_by_label("Attended").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved for 1 person")).to_be_visible()
    assert Registration.objects.get(pk=olive.pk).attendance == "attended"
    assert Registration.objects.get(name="Ana Online").attendance == ""
