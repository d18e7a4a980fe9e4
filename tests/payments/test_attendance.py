"""The link from recorded event attendance to a claim (events.signals.attendance_recorded)."""

import datetime

import pytest
from django.utils import timezone

from events import services as event_services
from events.factories import EventIndexPageFactory, EventPageFactory, RegistrationFactory
from payments import attendance, services
from payments.models import InvolvementClaim
from payments.services import ClaimError
from portal import audit

Status = InvolvementClaim.Status


@pytest.fixture
def paid_event(home_page, policy_versions):
    index = EventIndexPageFactory(parent=home_page)
    start = timezone.make_aware(datetime.datetime(2025, 7, 1, 10, 0))
    return EventPageFactory(
        parent=index,
        start=start,
        end=start + datetime.timedelta(hours=2, minutes=10),
        is_paid_involvement=True,
        involvement_activity_type="Workshop",
    )


def attend(registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event_services.mark_attendance(registration, "attended")


def test_attendance_at_a_paid_event_makes_one_submitted_claim(
    paid_event, contributor, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(event=paid_event, user=contributor, email=contributor.email)
    attend(registration, django_capture_on_commit_callbacks)
    claim = InvolvementClaim.objects.get(contributor=contributor)
    assert (claim.status, claim.registration, claim.activity_type) == (
        Status.SUBMITTED,
        registration,
        "meeting",
    )
    assert claim.duration_minutes == 130 and claim.work_date == datetime.date(2025, 7, 1)
    assert "2 h 10 min meeting or workshop, rounded to 2 h 15 min, at £27.50/h = £61.88" in claim.explanation
    assert audit.trail(claim)[-1].note == "Submitted automatically from recorded event attendance"
    # Recorded again (no-show then attended), and the signal repeated: still one claim.
    with django_capture_on_commit_callbacks(execute=True):
        event_services.mark_attendance(registration, "no_show")
    attend(registration, django_capture_on_commit_callbacks)
    attendance.on_attendance_recorded(sender=None, registration=registration)
    assert InvolvementClaim.objects.filter(contributor=contributor).count() == 1


def test_a_second_claim_for_the_same_attendance_is_refused(
    paid_event, contributor, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(event=paid_event, user=contributor, email=contributor.email)
    attend(registration, django_capture_on_commit_callbacks)
    data = {
        "work_date": datetime.date(2025, 7, 1),
        "activity_type": "meeting",
        "duration_minutes": 60,
        "project": "E",
    }
    with pytest.raises(ClaimError, match="already a claim for this event attendance"):
        services.create_draft(contributor=contributor, data=data, registration=registration)
    assert InvolvementClaim.objects.count() == 1


@pytest.mark.parametrize("case", ["unpaid_event", "no_show", "no_account", "not_a_contributor"])
def test_no_claim_when_nothing_is_due(
    case, paid_event, contributor, editor, django_capture_on_commit_callbacks
):
    user = {"no_account": None, "not_a_contributor": editor}.get(case, contributor)
    if case == "unpaid_event":
        paid_event.is_paid_involvement = False
        paid_event.save()
    registration = RegistrationFactory(
        event=paid_event, user=user, email=getattr(user, "email", "x@example.org")
    )
    with django_capture_on_commit_callbacks(execute=True):
        event_services.mark_attendance(registration, "no_show" if case == "no_show" else "attended")
    assert not InvolvementClaim.objects.exists()


def test_a_claim_that_cannot_be_made_does_not_break_recording_attendance(
    paid_event, contributor, django_capture_on_commit_callbacks, make_claim
):
    make_claim(contributor, duration_minutes=23 * 60)  # the day is already almost full
    registration = RegistrationFactory(event=paid_event, user=contributor, email=contributor.email)
    attend(registration, django_capture_on_commit_callbacks)
    registration.refresh_from_db()
    assert registration.attendance == "attended"
    assert InvolvementClaim.objects.filter(registration=registration).count() == 0


@pytest.mark.parametrize(
    ("text", "activity"),
    [("workshop", "meeting"), ("Training attended", "training"), ("fieldwork", "fieldwork"), ("", "meeting")],
)
def test_activity_for_event(text, activity):
    assert attendance.activity_for_event(text) == activity


@pytest.mark.django_db(transaction=True)
def test_recording_attendance_and_its_claim_purge_no_page(paid_event, contributor):
    """Attendance shows on no public page, nor does the claim it makes: no cached page is purged
    (portal.cache: an unmapped write would purge the whole site). Real commits: the claim is made
    after the attendance's transaction commits."""
    from portal.models import CachePurge

    registration = RegistrationFactory(event=paid_event, user=contributor, email=contributor.email)
    before = CachePurge.objects.count()
    event_services.mark_attendance(registration, "attended")
    assert InvolvementClaim.objects.get(contributor=contributor).status == Status.SUBMITTED
    event_services.mark_attendance(registration, "no_show")
    assert InvolvementClaim.objects.get(contributor=contributor).status == Status.CANCELLED
    assert CachePurge.objects.count() == before
