"""Defects 4 and 5 of the report that showed money paid twice (issue 9), on the claim side: a claim for an
event the person did not attend stayed payable, and the 24-hours-a-day rule could be beaten. The payout
side (defects 1 to 3) is in tests/payouts/test_paid_once.py; the concurrent halves in
tests/payouts/test_paid_once_concurrency.py (PostgreSQL)."""

import datetime

import pytest
from django.urls import reverse

from events.factories import RegistrationFactory
from payments import services
from payments.models import InvolvementClaim
from portal import audit

pytestmark = pytest.mark.django_db

Status = InvolvementClaim.Status


def status_of(claim):
    return InvolvementClaim.objects.get(pk=claim.pk).status


# -- Defect 4: a claim for an event the person did not attend stays payable --------------------------


def test_correcting_attendance_to_no_show_stops_the_claim_being_paid(
    paid_event, set_attendance, contributor, coordinator
):
    registration = RegistrationFactory(event=paid_event, user=contributor, email=contributor.email)
    set_attendance(registration, "attended")
    claim = InvolvementClaim.objects.get(registration=registration)
    assert claim.status == Status.SUBMITTED

    set_attendance(registration, "no_show")
    assert status_of(claim) not in (Status.SUBMITTED, Status.APPROVED, Status.DRAFT)
    with pytest.raises(services.ClaimError):
        services.approve(InvolvementClaim.objects.get(pk=claim.pk), actor=coordinator)
    assert status_of(claim) != Status.APPROVED


def test_a_second_claim_for_the_same_event_and_day_is_refused(paid_event, set_attendance, contributor):
    registration = RegistrationFactory(event=paid_event, user=contributor, email=contributor.email)
    set_attendance(registration, "attended")
    data = {
        "work_date": datetime.date(2025, 7, 1),
        "activity_type": "meeting",
        "duration_minutes": 180,
        "project": "Co-design workshop",
    }
    with pytest.raises(services.ClaimError, match="(?i)already.*Co-design workshop"):
        services.create_draft(contributor=contributor, data=data)
    assert InvolvementClaim.objects.filter(contributor=contributor).count() == 1


# -- Defect 5: the 24-hours-a-day rule -----------------------------------------------------------------


def test_approval_rechecks_the_24_hour_limit(make_claim, contributor, coordinator):
    first = make_claim(contributor, "submitted", duration_minutes=600)
    second = make_claim(contributor, "submitted", duration_minutes=600)
    # What two simultaneous edits left behind before the lock: 14 h + 14 h on one day.
    InvolvementClaim.objects.filter(pk__in=[first.pk, second.pk]).update(duration_minutes=14 * 60)

    services.approve(InvolvementClaim.objects.get(pk=first.pk), actor=coordinator)
    with pytest.raises(services.ClaimError, match="24 hours"):
        services.approve(InvolvementClaim.objects.get(pk=second.pk), actor=coordinator)
    assert status_of(second) == Status.SUBMITTED


def test_bulk_approval_refuses_the_claim_that_would_pass_24_hours(
    client, make_claim, contributor, coordinator
):
    claims = [make_claim(contributor, "submitted", duration_minutes=600) for _ in range(2)]
    InvolvementClaim.objects.filter(pk__in=[c.pk for c in claims]).update(duration_minutes=14 * 60)
    client.force_login(coordinator)
    client.post(
        reverse("payments_claims:queue"), {"claims": [str(c.pk) for c in claims], "action": "approve"}
    )
    approved_minutes = sum(
        InvolvementClaim.objects.filter(status=Status.APPROVED).values_list("duration_minutes", flat=True)
    )
    assert approved_minutes <= 24 * 60


def test_attendance_corrected_back_reinstates_the_claim(paid_event, set_attendance, contributor):
    registration = RegistrationFactory(event=paid_event, user=contributor, email=contributor.email)
    for value in ("attended", "no_show", "attended"):
        set_attendance(registration, value)
    claim = InvolvementClaim.objects.get(registration=registration)
    assert claim.status == Status.SUBMITTED
    notes = [entry.note for entry in audit.trail(claim)]
    assert any("did not attend" in n for n in notes) and any("attended after all" in n for n in notes)
