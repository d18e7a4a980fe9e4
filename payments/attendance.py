"""From recorded event attendance to a claim, and back when attendance is corrected.

Receives events.signals.attendance_recorded (sent after the attendance is committed, again whenever it
changes). Every change to a claim goes through payments.services:
- attended at a paid event, by a signed-in contributor: one submitted claim (the one-to-one link to the
  registration means a repeated signal never makes a second); a claim cancelled by an earlier
  correction is reinstated instead.
- corrected to did not attend: the claim that attendance made is cancelled (leaving any payout that was
  going to pay it); if it is already paid, or its payout is already sending the money, coordinators are
  told instead, as only they can put that right.
Recording attendance never fails because of a claim: problems are logged, flagged on the claim and sent to
coordinators.
"""

import logging

from django.contrib.auth import get_user_model

from portal.mail import queue_email

from . import claim_rules, services
from .models import ActivityType, InvolvementClaim

log = logging.getLogger(__name__)
Status = InvolvementClaim.Status

ACTIVITY_SYNONYMS = {
    "workshop": "meeting",
    "meeting": "meeting",
    "focus group": "meeting",
    "advisory group": "meeting",
    "training": "training",
    "course": "training",
    "reading": "preparation",
    "review": "reviewing",
    "interview": "fieldwork",
    "fieldwork": "fieldwork",
    "presentation": "cowriting",
    "presenting": "cowriting",
    "writing": "cowriting",
    "social": "social",
}


def activity_for_event(value):
    """Maps an event's free-text activity type (a value, a label, or a common word) to an ActivityType."""
    text = (value or "").strip().lower()
    for choice, label in ActivityType.choices:
        if text in (choice, label.lower()):
            return choice
    for word, choice in ACTIVITY_SYNONYMS.items():
        if word in text:
            return choice
    return ActivityType.MEETING


def claim_for_attendance(registration):
    """The submitted claim for a contributor's recorded attendance at a paid event, or None when nothing
    is due (not attended, not a paid event, no contributor account)."""
    event = registration.event
    user = registration.user
    if registration.attendance != "attended" or not event.is_paid_involvement:
        return None
    if user is None or not user.is_contributor:
        return None
    existing = InvolvementClaim.objects.filter(registration=registration).first()
    if existing is not None:
        if existing.status == Status.CANCELLED:
            return services.reinstate(existing, note="Attendance corrected: attended after all")
        return existing
    minutes = int((event.end - event.start).total_seconds() // 60)
    data = {
        "work_date": event.local_start.date(),
        "activity_type": activity_for_event(event.involvement_activity_type),
        "duration_minutes": min(minutes, claim_rules.MINUTES_IN_A_DAY),
        "preparation_minutes": 0,
        "project": event.title[:200],
        "notes": "Made from your recorded attendance at this event.",
    }
    claim = services.create_draft(contributor=user, data=data, registration=registration)
    return services.submit(claim, actor=None, automatic=True)


def withdraw_for_absence(registration):
    """Cancels the claim that attendance made, now that the person is recorded as not attending."""
    claim = InvolvementClaim.objects.filter(registration=registration).first()
    if claim is None or claim.status in (Status.CANCELLED, Status.REJECTED):
        return claim
    reason = f"Attendance corrected: did not attend {registration.event.title}"
    if claim.status in (Status.PAID, Status.DECLINED):
        _tell_coordinators(
            claim,
            f"{reason}, but this claim is already {claim.get_status_display().lower()}. Please check it.",
        )
        return claim
    try:
        return services.cancel(claim, reason=reason)
    except services.ClaimError as exc:
        _tell_coordinators(claim, f"{reason}, but the claim could not be cancelled: {exc}")
        return claim


def on_attendance_recorded(sender, registration, **kwargs):
    """Receiver for events.signals.attendance_recorded."""
    try:
        if registration.attendance == "attended":
            claim_for_attendance(registration)
        elif registration.attendance == "no_show":
            withdraw_for_absence(registration)
    except services.ClaimError as exc:
        log.warning("No change to the claim for registration %s: %s", registration.pk, exc)
        if registration.user_id:
            _tell_coordinators(
                None,
                f"Attendance at {registration.event.title} was recorded for {registration.user}, but no "
                f"claim could be made: {exc}",
            )


def _tell_coordinators(claim, note):
    if claim is not None:
        services.flag(claim, note=note)
    recipients = get_user_model().objects.emails_with_perm(services.DECIDE)
    if recipients:
        subject = "A claim needs checking after an attendance change"
        body = note + (f"\n\nClaim {claim.pk}: {claim}" if claim is not None else "")
        queue_email(to=recipients, subject=subject, text=body)
