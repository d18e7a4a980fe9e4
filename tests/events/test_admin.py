"""Coordinators' admin views, and that nobody else sees attendees or access needs."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

from events import services
from events.models import EventPage, Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(event, person):
    services.register(
        event, data=person(name="Bea BSL", access_needs=["bsl", "step_free"], dietary_needs="Vegan")
    )
    services.register(event, data=person(name="Bo BSL", access_needs=["bsl"], brings_carer=True))
    services.register(event, data=person(name="Will Wait", dietary_needs="Halal"))
    return event


def urls(event):
    reg = Registration.objects.filter(event=event).first()
    return [
        reverse("events_admin:event_list"),
        reverse("events_admin:attendees", args=[event.pk]),
        reverse("events_admin:attendees_csv", args=[event.pk]),
    ], reg


def test_anonymous_is_sent_to_login(client, booked):
    pages, _ = urls(booked)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url
        assert "Bea BSL" not in response.text


@pytest.mark.parametrize("who", ["contributor", "editor"])
def test_contributors_and_editors_cannot_see_attendees(client, booked, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    pages, reg = urls(booked)
    for url in pages:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "Bea BSL" not in response.text and "Vegan" not in response.text
    waiting = Registration.objects.get(name="Will Wait")
    response = client.post(reverse("events_admin:promote", args=[booked.pk, waiting.pk]))
    assert response.status_code in (302, 403)
    waiting.refresh_from_db()
    assert waiting.status == "waiting"


def test_coordinator_sees_counts_summary_and_list(client, booked, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("events_admin:attendees", args=[booked.pk]))
    assert response.status_code == 200
    text = response.text
    assert 'data-count="confirmed">2<' in text and 'data-count="waiting">1<' in text
    assert "2 × BSL interpreters" in text
    assert "1 × Step-free route" in text
    assert "2 × Dietary needs" in text
    assert "1 × Carer or PA" in text
    assert "Bea BSL" in text and "Vegan" in text
    # Coordinators have no page permissions, so no page actions they could not use.
    assert reverse("wagtailadmin_pages:edit", args=[booked.pk]) not in text
    assert reverse("events_admin:cancel_event", args=[booked.pk]) not in text
    listing = client.get(reverse("events_admin:event_list"))
    assert booked.title in listing.text


def test_csv_export(client, booked, coordinator):
    Registration.objects.filter(name="Will Wait").update(dietary_needs='=HYPERLINK("x")')
    client.force_login(coordinator)
    # The old per-event address leads to the registrations listing's export, filtered to the event.
    response = client.get(reverse("events_admin:attendees_csv", args=[booked.pk]), follow=True)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert f"attendees-{booked.slug}.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {r["Name"] for r in rows} == {"Bea BSL", "Bo BSL", "Will Wait"}
    bea = next(r for r in rows if r["Name"] == "Bea BSL")
    assert (
        bea["Access needs"] == "Step-free route; BSL interpreters"
        or bea["Access needs"] == "BSL interpreters; Step-free route"
    )
    assert bea["Dietary needs"] == "Vegan"
    will = next(r for r in rows if r["Name"] == "Will Wait")
    assert will["Dietary needs"].startswith("'=")  # no formula injection


def test_coordinator_promotes_and_marks_attendance(client, booked, coordinator):
    client.force_login(coordinator)
    waiting = Registration.objects.get(name="Will Wait")
    response = client.post(reverse("events_admin:promote", args=[booked.pk, waiting.pk]), follow=True)
    assert "not enough free seats" in response.text
    EventPage.objects.filter(pk=booked.pk).update(capacity=10)
    client.post(reverse("events_admin:promote", args=[booked.pk, waiting.pk]))
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    client.post(reverse("events_admin:attendance", args=[booked.pk, waiting.pk]), {"attendance": "no_show"})
    waiting.refresh_from_db()
    assert waiting.attendance == "no_show"
    page = client.get(reverse("events_admin:attendees", args=[booked.pk])).text
    assert "Did not come" in page


def test_create_follow_up_action(client, event, editor, superuser):
    url = reverse("events_admin:follow_up", args=[event.pk])
    client.force_login(superuser)
    assert client.get(url).status_code == 200
    start = (event.local_start + timedelta(days=182)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"title": "Six months on", "start": start})
    assert response.status_code == 302
    follow = EventPage.objects.get(title="Six months on")
    assert follow.follows_up_on_id == event.pk and not follow.live
    assert follow.local_start.strftime("%H:%M") == event.local_start.strftime("%H:%M")
    assert response.url == reverse("wagtailadmin_pages:edit", args=[follow.pk])


def test_follow_up_needs_page_permission(client, event, contributor):
    client.force_login(contributor)
    response = client.get(reverse("events_admin:follow_up", args=[event.pk]))
    assert response.status_code in (302, 403)


def test_page_listing_shows_buttons(client, event_index, event, coordinator, superuser):
    client.force_login(superuser)
    response = client.get(reverse("wagtailadmin_explore", args=[event_index.pk]))
    assert response.status_code == 200
    assert reverse("events_admin:attendees", args=[event.pk]) in response.text
    assert reverse("events_admin:follow_up", args=[event.pk]) in response.text


def test_admin_can_edit_event_page(client, event, superuser):
    client.force_login(superuser)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[event.pk])).status_code == 200


def test_cancel_event_action(client, booked, superuser, coordinator, django_capture_on_commit_callbacks):
    from django.core import mail

    url = reverse("events_admin:cancel_event", args=[booked.pk])
    client.force_login(coordinator)  # coordinators run attendees, not pages
    assert client.post(url).status_code in (302, 403)
    booked.refresh_from_db()
    assert not booked.is_cancelled
    client.force_login(superuser)
    assert "2 confirmed, 1 waiting" in client.get(url).text
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.is_cancelled
    assert len(mail.outbox) == 3


def test_editor_creates_event_in_admin_with_provisions(client, event_index, superuser):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    client.force_login(superuser)
    url = reverse("wagtailadmin_pages:add", args=("events", "eventpage", event_index.pk))
    assert client.get(url).status_code == 200
    data = nested_form_data(
        {
            "title": "Made in the admin",
            "slug": "made-in-the-admin",
            "summary": "Created through the editor.",
            "event_type": "workshop",
            "format": "in_person",
            "start": "2031-03-01 10:00",
            "end": "2031-03-01 12:00",
            "time_zone": "Europe/London",
            "capacity": "12",
            "waiting_list_enabled": "on",
            "body": streamfield([]),
            "materials": streamfield([]),
            "materials_release": "before",
            "material_files": inline_formset([]),
            "action-publish": "publish",
        }
    )
    data["access_provisions"] = ["bsl", "step_free"]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    event = EventPage.objects.get(slug="made-in-the-admin")
    assert event.live and event.access_provisions == ["bsl", "step_free"]
    assert event.local_start.hour == 10 and event.ical_uid and event.schedule_fingerprint


def test_attendees_menu_item_only_for_coordinators(client, coordinator, editor):
    client.force_login(coordinator)
    assert "Event attendees" in client.get(reverse("wagtailadmin_home")).text
    client.force_login(editor)
    assert "Event attendees" not in client.get(reverse("wagtailadmin_home")).text


def test_registrations_listing_filters_and_exports(
    client, booked, event_factory, person, coordinator, superuser
):
    other = event_factory(title="Another event")
    services.register(other, data=person(name="Olga Other"))
    index = reverse("events_admin:index")
    client.force_login(coordinator)
    everyone = client.get(index).text
    assert "Bea BSL" in everyone and "Olga Other" in everyone
    waiting = client.get(index, {"event": booked.pk, "status": "waiting"}).text
    assert "Will Wait" in waiting and "Bea BSL" not in waiting and "Olga Other" not in waiting
    xlsx = client.get(index, {"event": other.pk, "export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    # Nobody adds, edits or deletes registrations here: every change goes through the services.
    client.force_login(superuser)
    assert client.get(index).status_code == 200
    for name in ("add", "edit", "delete", "copy"):
        with pytest.raises(NoReverseMatch):
            reverse(f"events_admin:{name}", args=[] if name == "add" else [1])


@pytest.mark.parametrize("who", ["contributor", "editor"])
def test_registrations_listing_inspect_and_history_are_closed_to_others(client, booked, who, request):
    registration = Registration.objects.get(name="Bea BSL")
    client.force_login(request.getfixturevalue(who))
    for url in (
        reverse("events_admin:index"),
        reverse("events_admin:index") + "?export=csv",
        reverse("events_admin:inspect", args=[registration.pk]),
        reverse("events_admin:history", args=[registration.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"Bea BSL" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_history_shows_who_did_what(client, booked, coordinator, superuser):
    client.force_login(coordinator)
    waiting = Registration.objects.get(name="Will Wait")
    EventPage.objects.filter(pk=booked.pk).update(capacity=10)
    client.post(reverse("events_admin:promote", args=[booked.pk, waiting.pk]))
    client.post(reverse("events_admin:attendance", args=[booked.pk, waiting.pk]), {"attendance": "attended"})
    inspect = client.get(reverse("events_admin:inspect", args=[waiting.pk]))
    assert inspect.status_code == 200 and "Halal" in inspect.text
    history = client.get(reverse("events_admin:history", args=[waiting.pk])).text
    assert "Joined the waiting list" in history
    assert "Given a place from the waiting list by a coordinator" in history
    assert "Attendance recorded: attended" in history
    assert escape(coordinator.get_full_name()) in history  # as the page prints it (Rhys O&#x27;Donnell)
    client.force_login(superuser)
    client.post(reverse("events_admin:cancel_event", args=[booked.pk]))
    page_history = client.get(reverse("wagtailadmin_pages:history", args=[booked.pk])).text
    assert "Event cancelled" in page_history
