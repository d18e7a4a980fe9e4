"""Attendance ticked from the sign-in sheet (events admin) makes the same claims as recording it one by
one: both go through events.services.mark_attendance and its signal."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services as event_services
from events.models import Registration
from payments.models import InvolvementClaim

pytestmark = pytest.mark.django_db


def place(event, user, name):
    # The event is in the past: its registrations are made as of a day before it.
    data = {"name": name, "email": user.email}
    when = event.start - datetime.timedelta(days=1)
    return event_services.register(event, data=data, user=user, now=when).registration


def test_sheet_and_one_by_one_make_the_same_claims(
    client, paid_event, coordinator, contributor, other_contributor, django_capture_on_commit_callbacks
):
    ticked = place(paid_event, contributor, "Tick Sheet")
    one_by_one = place(paid_event, other_contributor, "One Button")
    offline = event_services.register(
        paid_event,
        data={"name": "No Account", "phone": "0117 496 0123", "consent_to_keep_contact_details": True},
        entered_by=coordinator,
        now=paid_event.start - datetime.timedelta(days=1),
    ).registration
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("events_admin:sign_in", args=[paid_event.pk]),
            {f"r{ticked.pk}": "attended", f"r{offline.pk}": "attended"},
        )
        client.post(
            reverse("events_admin:attendance", args=[paid_event.pk, one_by_one.pk]),
            {"attendance": "attended"},
        )
    from_sheet = InvolvementClaim.objects.get(registration=ticked)
    from_button = InvolvementClaim.objects.get(registration=one_by_one)
    fields = ("status", "activity_type", "duration_minutes", "work_date", "total_amount", "explanation")
    assert [getattr(from_sheet, f) for f in fields] == [getattr(from_button, f) for f in fields]
    assert from_sheet.contributor == contributor and from_sheet.status == InvolvementClaim.Status.SUBMITTED
    # Someone with no account makes no claim (as today); their attendance is recorded all the same.
    assert Registration.objects.get(pk=offline.pk).attendance == "attended"
    assert InvolvementClaim.objects.count() == 2
    # Corrected on the sheet to "did not come": the claim is withdrawn, as one by one.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events_admin:sign_in", args=[paid_event.pk]), {f"r{ticked.pk}": "no_show"})
    from_sheet.refresh_from_db()
    assert from_sheet.status == InvolvementClaim.Status.CANCELLED


def test_a_contributor_booked_by_phone_with_their_address_is_linked(
    client, paid_event, coordinator, contributor, django_capture_on_commit_callbacks
):
    paid_event.start = timezone.now() + datetime.timedelta(days=3)
    paid_event.end = paid_event.start + datetime.timedelta(hours=2)
    paid_event.save()
    client.force_login(coordinator)
    client.post(
        reverse("events_admin:book_on_behalf", args=[paid_event.pk]),
        {
            "name": "Con Tributor",
            "booked_via": "phone",
            "email": contributor.email.upper(),
            "preferred_contact": "email",
        },
    )
    registration = Registration.objects.get(name="Con Tributor")
    assert registration.user == contributor and registration.entered_by == coordinator
