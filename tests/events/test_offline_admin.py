"""The coordinators' screens and documents for people who are not online: booking on their behalf, their
letters, the call list, the sign-in sheet and ticking attendance from it. Who may see each."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from events import audit, services
from events.models import ContactTask, EventPage, Registration
from tests.pdf import font_sizes, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(user_factory):
    return user_factory(email="member-test@example.org")


def form_data(**overrides):
    data = {
        "name": "Olive Offline",
        "booked_via": "phone",
        "email": "",
        "phone": "0117 496 0123",
        "postal_address": "2 Mill Lane\r\nBristol\r\nBS2 2BB",
        "preferred_contact": "post",
        "consent_to_keep_contact_details": "on",
        "brings_carer": "on",
        "carer_name": "Pat Helper",
        "access_needs": ["bsl", "large_print"],
        "dietary_needs": "Gluten free",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def event(event_factory):
    """10:30 to 13:30 in a fortnight (in the event's zone, the site's)."""
    day = timezone.localdate() + timedelta(days=14)
    return event_factory(capacity=3, start=timezone.make_aware(datetime.combine(day, time(10, 30))))


@pytest.fixture
def booked(event, coordinator, person):
    """Olive, booked by phone with a carer and needs; Bea, online with needs."""
    services.register(
        event, data=person(name="Bea Online", access_needs=["quiet_room"], dietary_needs="Vegan")
    )
    olive = services.register(
        event,
        data={
            "name": "Olive Offline",
            "phone": "0117 496 0123",
            "postal_address": "2 Mill Lane\nBristol\nBS2 2BB",
            "preferred_contact": "post",
            "consent_to_keep_contact_details": True,
            "brings_carer": True,
            "carer_name": "Pat Helper",
            "access_needs": ["bsl"],
            "dietary_needs": "Gluten free",
        },
        entered_by=coordinator,
        booked_via="post",
    ).registration
    return event, olive


def every_url(event, registration):
    task = registration.contact_tasks.first()
    gets = [
        reverse("events_admin:book_on_behalf", args=[event.pk]),
        reverse("events_admin:letter", args=[registration.pk]),
        reverse("events_admin:call_list"),
        reverse("events_admin:sign_in_sheet", args=[event.pk]),
        reverse("events_admin:sign_in", args=[event.pk]),
        reverse("events_admin:cancel_place", args=[event.pk, registration.pk]),
    ]
    posts = [
        (reverse("events_admin:book_on_behalf", args=[event.pk]), form_data(name="Intruder")),
        (reverse("events_admin:contact_done", args=[task.pk]), {}),
        (reverse("events_admin:sign_in", args=[event.pk]), {f"r{registration.pk}": "attended"}),
        (reverse("events_admin:cancel_place", args=[event.pk, registration.pk]), {}),
    ]
    return gets, posts


def test_anonymous_is_sent_to_sign_in(client, booked):
    event, olive = booked
    gets, posts = every_url(event, olive)
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url, url
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 302 and "login" in response.url, url
    assert_nothing_changed(event, olive)


@pytest.mark.parametrize("who", ["member", "contributor", "editor"])
def test_members_contributors_and_editors_are_refused(client, booked, who, request):
    event, olive = booked
    client.force_login(request.getfixturevalue(who))
    gets, posts = every_url(event, olive)
    for url in gets:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"Olive" not in response.content and b"Mill Lane" not in response.content
    for url, data in posts:
        assert client.post(url, data).status_code in (302, 403), url
    assert_nothing_changed(event, olive)


def assert_nothing_changed(event, olive):
    olive.refresh_from_db()
    assert olive.status == "confirmed" and olive.attendance == ""
    assert not Registration.objects.filter(name="Intruder").exists()
    assert not ContactTask.objects.filter(done_at__isnull=False).exists()


def test_the_call_list_menu_item_is_for_coordinators(client, coordinator, editor):
    client.force_login(coordinator)
    assert reverse("events_admin:call_list") in client.get(reverse("wagtailadmin_home")).text
    client.force_login(editor)
    assert reverse("events_admin:call_list") not in client.get(reverse("wagtailadmin_home")).text


def test_coordinator_books_through_the_form(client, event, coordinator):
    client.force_login(coordinator)
    url = reverse("events_admin:book_on_behalf", args=[event.pk])
    page = client.get(url)
    assert page.status_code == 200 and "E-mail address (optional)" in page.text
    response = client.post(url, form_data())
    assert response.status_code == 302
    registration = Registration.objects.get(name="Olive Offline")
    assert response.url.endswith(f"#registration-{registration.pk}")
    assert (registration.email, registration.booked_via, registration.entered_by) == (
        "",
        "phone",
        coordinator,
    )
    assert registration.seats == 2 and registration.carer_name == "Pat Helper"
    assert registration.postal_address == "2 Mill Lane\nBristol\nBS2 2BB"
    assert registration.contact_tasks.get().method == "post"
    attendees = client.get(response.url).text
    assert "Olive Offline" in attendees and "No e-mail" in attendees and "Booked by phone" in attendees
    assert reverse("events_admin:letter", args=[registration.pk]) in attendees


def test_told_now_closes_the_call_but_not_the_letter(client, event, coordinator):
    client.force_login(coordinator)
    url = reverse("events_admin:book_on_behalf", args=[event.pk])
    client.post(url, form_data(preferred_contact="phone", told_now="on"))
    task = ContactTask.objects.get()
    assert task.done_by == coordinator and task.outcome == "Told when they booked"
    client.post(url, form_data(name="Lettie Letter", phone="0117 496 0456", told_now="on"))
    assert ContactTask.objects.get(registration__name="Lettie Letter").done_at is None


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"phone": "", "postal_address": ""}, "phone", "Give a phone number or a postal address"),
        ({"consent_to_keep_contact_details": None}, "consent_to_keep_contact_details", "Ask whether"),
        ({"preferred_contact": "email"}, "preferred_contact", "They have no e-mail address"),
        ({"postal_address": ""}, "postal_address", "Give a postal address"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address"),
        ({"name": ""}, "name", "This field is required"),
    ],
)
def test_bad_input_gets_a_clear_message(client, event, coordinator, overrides, field, message):
    client.force_login(coordinator)
    response = client.post(reverse("events_admin:book_on_behalf", args=[event.pk]), form_data(**overrides))
    assert response.status_code == 400
    assert message in response.text and f'href="#id_{field}' in response.text
    assert "<title>Error:" in response.text
    assert not Registration.objects.exists()


def test_a_service_refusal_shows_on_the_form(client, event_factory, coordinator, person):
    event = event_factory(capacity=1, waiting_list_enabled=False)
    services.register(event, data=person())
    client.force_login(coordinator)
    response = client.post(reverse("events_admin:book_on_behalf", args=[event.pk]), form_data())
    assert response.status_code == 400 and "this event is full and has no waiting list" in response.text


def test_the_confirmation_letter(client, booked, coordinator):
    event, olive = booked
    client.force_login(coordinator)
    response = client.get(reverse("events_admin:letter", args=[olive.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    text = pdf_text(response.content)
    local = event.local_start
    assert "Dear Olive Offline" in text and "2 Mill Lane" in text and "BS2 2BB" in text
    assert "Your place is confirmed" in text and event.title in text
    assert local.strftime("%A %-d %B %Y") in text
    assert f"{local:%A %-d %B %Y}, 10:30 to 13:30" in text
    assert "Community Centre, 1 High Street, Bristol, BS1 1AA" in text
    assert (
        "You and your carer or PA (Pat Helper): 2 seats" in text and "A seat is kept for your carer" in text
    )
    assert event.contact_phone in text
    # What they need is health data: never on paper.
    assert "BSL" not in text and "Gluten" not in text
    # They did not ask for large print: 12 pt; asked for, 16 pt.
    assert min(font_sizes(response.content).values()) < 16
    large = client.get(reverse("events_admin:letter", args=[olive.pk]) + "?large_print=1")
    assert min(font_sizes(large.content).values()) >= 16


def test_a_person_who_asked_for_large_print_gets_it(client, event, coordinator):
    client.force_login(coordinator)
    client.post(reverse("events_admin:book_on_behalf", args=[event.pk]), form_data())
    registration = Registration.objects.get()
    content = client.get(reverse("events_admin:letter", args=[registration.pk])).content
    assert min(font_sizes(content).values()) >= 16


def test_letters_for_the_waiting_list_and_changes(client, event_factory, coordinator, person):
    event = event_factory(capacity=1)
    services.register(event, data=person())
    olive = services.register(
        event,
        data={
            "name": "Olive",
            "postal_address": "2 Mill Lane",
            "preferred_contact": "post",
            "consent_to_keep_contact_details": True,
        },
        entered_by=coordinator,
        booked_via="post",
    ).registration
    client.force_login(coordinator)
    url = reverse("events_admin:letter", args=[olive.pk])
    text = pdf_text(client.get(url).content)
    assert "You are on the waiting list" in text and "you are number 1" in text
    text = pdf_text(client.get(url + "?kind=event_cancelled").content)
    assert "The event is cancelled" in text
    assert client.get(url + "?kind=nonsense").status_code == 200  # an unknown kind: where the place stands


def test_call_list_shows_what_to_say_and_marks_done(client, booked, coordinator):
    event, olive = booked
    services.register(
        event,
        data={
            "name": "Carl Caller",
            "phone": "07700 900123",
            "preferred_contact": "phone",
            "consent_to_keep_contact_details": True,
            "access_needs": ["bsl"],
            "dietary_needs": "Nuts",
        },
        entered_by=coordinator,
    )
    client.force_login(coordinator)
    page = client.get(reverse("events_admin:call_list")).text
    assert (
        "Carl Caller" in page and "07700 900123" in page and "Olive Offline" in page and "2 Mill Lane" in page
    )
    assert f"Their place at {event.title} is confirmed" in page
    assert "Bea Online" not in page  # she has e-mail
    # Only what the caller needs: no access or dietary needs.
    assert "BSL" not in page and "Nuts" not in page and "Gluten" not in page
    task = ContactTask.objects.get(registration__name="Carl Caller")
    response = client.post(
        reverse("events_admin:contact_done", args=[task.pk]), {"outcome": "Left a message"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_by == coordinator and task.outcome == "Left a message"
    assert f'id="task-{task.pk}"' not in client.get(reverse("events_admin:call_list")).text
    done = client.get(reverse("events_admin:call_list") + "?show=done").text
    assert "Carl Caller" in done and "Left a message" in done
    response = client.post(
        reverse("events_admin:contact_done", args=[olive.contact_tasks.get().pk]),
        {"outcome": "x" * 300},
        follow=True,
    )
    assert "200 characters" in response.text


def test_coordinator_cancels_a_place_for_them(client, booked, coordinator):
    event, olive = booked
    client.force_login(coordinator)
    url = reverse("events_admin:cancel_place", args=[event.pk, olive.pk])
    assert url in client.get(reverse("events_admin:attendees", args=[event.pk])).text
    confirm = client.get(url)  # asks first: a link on the attendees page cancels nothing
    assert confirm.status_code == 200 and "Cancel Olive Offline" in confirm.text
    assert "telling them goes on the call list" in confirm.text
    olive.refresh_from_db()
    assert olive.status == "confirmed"
    response = client.post(url, follow=True)
    assert "told through the call list" in response.text
    olive.refresh_from_db()
    assert olive.status == "cancelled"
    assert olive.contact_tasks.filter(kind="cancelled", done_at__isnull=True).exists()
    entry = ModelLogEntry.objects.get(object_id=str(olive.pk), action=audit.CANCELLED)
    assert entry.user == coordinator


def test_sign_in_sheet_has_names_and_seats_and_no_needs(client, booked, coordinator, person):
    event, olive = booked
    EventPage.objects.filter(pk=event.pk).update(capacity=10)
    services.register(event, data=person(name="Aaron Early"))
    cancelled = services.register(event, data=person(name="Cass Cancelled")).registration
    services.cancel_registration(cancelled)
    client.force_login(coordinator)
    response = client.get(reverse("events_admin:sign_in_sheet", args=[event.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    text = pdf_text(response.content)
    assert f"Sign-in sheet: {event.title}" in text and "Signature" in text
    assert text.index("Aaron Early") < text.index("Bea Online") < text.index("Olive Offline")
    assert "2 (with carer or PA: Pat Helper)" in text
    assert "Cass Cancelled" not in text
    assert event.local_start.strftime("%A %-d %B %Y") in text and "Community Centre" in text
    for secret in ("BSL", "Quiet", "Vegan", "Gluten", "Mill Lane", "0117 496 0123", "@example.org"):
        assert secret not in text
    large = client.get(reverse("events_admin:sign_in_sheet", args=[event.pk]) + "?large_print=1")
    assert min(font_sizes(large.content).values()) >= 16


def test_ticking_attendance_from_the_sheet(client, booked, coordinator, person):
    event, olive = booked
    bea = Registration.objects.get(name="Bea Online")
    client.force_login(coordinator)
    url = reverse("events_admin:sign_in", args=[event.pk])
    page = client.get(url).text
    assert "Olive Offline" in page and "Bea Online" in page and "Quiet" not in page and "BSL" not in page
    response = client.post(url, {f"r{olive.pk}": "attended", f"r{bea.pk}": "no_show"}, follow=True)
    assert "Attendance saved for 2 people" in response.text
    olive.refresh_from_db()
    bea.refresh_from_db()
    assert (olive.attendance, bea.attendance) == ("attended", "no_show")
    entry = ModelLogEntry.objects.get(object_id=str(olive.pk), action=audit.ATTENDANCE)
    assert entry.user == coordinator
    # Saving again changes nothing; "not recorded" leaves a row as it is.
    response = client.post(url, {f"r{olive.pk}": "attended", f"r{bea.pk}": ""}, follow=True)
    assert "Attendance saved for 0 people" in response.text
    bea.refresh_from_db()
    assert bea.attendance == "no_show"
    assert client.post(url, {f"r{olive.pk}": "maybe"}).status_code == 400


def test_event_admin_pages_link_the_new_screens(client, booked, coordinator):
    event, _ = booked
    client.force_login(coordinator)
    text = client.get(reverse("events_admin:attendees", args=[event.pk])).text
    for name in ("book_on_behalf", "sign_in_sheet", "sign_in"):
        assert reverse(f"events_admin:{name}", args=[event.pk]) in text


def test_reminder_call_appears_before_the_event(client, event_factory, coordinator):
    event = event_factory(start=timezone.now() + timedelta(hours=20))
    services.register(
        event,
        data={
            "name": "Rita Remind",
            "phone": "07700 900456",
            "preferred_contact": "phone",
            "consent_to_keep_contact_details": True,
        },
        entered_by=coordinator,
    )
    services.send_due_reminders()
    client.force_login(coordinator)
    page = client.get(reverse("events_admin:call_list")).text
    assert f"A reminder: {event.title} is" in page


def test_a_name_is_text_everywhere(client, event, coordinator):
    client.force_login(coordinator)
    name = "<script>alert(1)</script> O'Neil & Co"
    response = client.post(
        reverse("events_admin:book_on_behalf", args=[event.pk]), form_data(name=name), follow=True
    )
    assert "<script>alert(1)</script>" not in response.text and "&lt;script&gt;" in response.text
    registration = Registration.objects.get()
    assert "<script>" not in client.get(reverse("events_admin:call_list")).text
    text = pdf_text(client.get(reverse("events_admin:letter", args=[registration.pk])).content)
    assert f"Dear {name}" in text
