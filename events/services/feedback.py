"""Feedback after an event: inviting each attendee once, and storing their answer. People booked without
an e-mail address are not invited (the invitation is a personal link sent by e-mail).

The once-only invariant: each confirmed registration gets at most one feedback e-mail, even with several
workers running `send_feedback_requests` at the same moment. Each send is claimed in its own
transaction: the registration's row is locked (`portal.locking`), the invitation looked for, and created
before the e-mail is queued (on commit). A second worker waits at the lock, then finds the invitation and
skips. The invitation's one-per-registration constraint is a second guard: without the lock (the control
test) the second insert fails instead of sending twice.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.cache import purging
from portal.locking import lock_one, race_point

from ..models import EventFeedback, EventPage, FeedbackInvitation, Registration
from ..tasks import send_feedback_email

logger = logging.getLogger(__name__)


class FeedbackRefused(Exception):
    """Feedback that will not be stored; the message is shown to the person."""


@dataclass
class FeedbackRun:
    sent: int = 0
    already_claimed: int = 0  # another worker had sent it (found under the lock)
    collided: int = 0  # another worker's insert won the constraint (only without the lock)


def feedback_window():
    """How long after an event invitations still go out (so a late first run never mails old events)."""
    return timedelta(days=getattr(settings, "EVENTS_FEEDBACK_WINDOW_DAYS", 14))


def due_feedback_ids(now=None):
    now = now or timezone.now()
    return list(
        Registration.objects.filter(
            status=Registration.Status.CONFIRMED,
            feedback_invitation__isnull=True,
            event__asks_for_feedback=True,
            event__status=EventPage.Status.SCHEDULED,
            event__live=True,
            event__end__lte=now,
            event__end__gt=now - feedback_window(),
        )
        .exclude(attendance=Registration.Attendance.NO_SHOW)
        .exclude(email="")  # booked by a coordinator without e-mail: there is nowhere to send it
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def send_feedback_requests(now=None):
    """Invites every attendee of a recently ended event to give feedback, once each. Returns a FeedbackRun."""
    now = now or timezone.now()
    run = FeedbackRun()
    for pk in due_feedback_ids(now):
        try:
            with transaction.atomic(), purging():  # an invitation shows on no public page
                registration = lock_one(Registration.objects.all(), pk=pk)
                if FeedbackInvitation.objects.filter(registration=registration).exists():
                    run.already_claimed += 1
                    continue
                race_point("events.feedback.claim")
                invitation = FeedbackInvitation.objects.create(registration=registration, sent_at=now)
                transaction.on_commit(lambda pk=invitation.pk: send_feedback_email.enqueue(pk))
        except IntegrityError:
            logger.info("Feedback invitation for registration %s was claimed by another worker", pk)
            run.collided += 1
            continue
        run.sent += 1
    return run


def invitation_for(token):
    """The invitation a feedback link names, or None."""
    token = str(token or "")[:64]
    if not token:
        return None
    return FeedbackInvitation.objects.select_related("registration__event").filter(token=token).first()


def submit_event_feedback(invitation, *, data):
    """Stores one attendee's answers, once. The answer carries their name only when they chose to show it.

    `data` is a valid `EventFeedbackForm`'s cleaned data. Raises FeedbackRefused when this link has
    already been used.
    """
    with transaction.atomic(), purging():  # answers show only in the admin's summary
        invitation = lock_one(
            FeedbackInvitation.objects.select_related("registration__event"), pk=invitation.pk
        )
        if invitation.answered:
            raise FeedbackRefused("You have already sent feedback on this event. Thank you!")
        registration = invitation.registration
        feedback = EventFeedback.objects.create(
            event=registration.event,
            rating=data["rating"],
            what_worked=data.get("what_worked", ""),
            what_to_change=data.get("what_to_change", ""),
            access_met=data["access_met"],
            access_comment=data.get("access_comment", ""),
            name=registration.name if data.get("show_name") else "",
        )
        invitation.answered = True
        invitation.save(update_fields=["answered"])
    return feedback
