"""Scheduled housekeeping: reminders before an event, and deleting access information when its time is up."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.cache import purging

from .. import emails
from ..choices import NoticeKind
from ..models import EventPage, Registration
from .common import add_contact_task

logger = logging.getLogger(__name__)


def reminder_lead_time():
    return timedelta(hours=getattr(settings, "EVENTS_REMINDER_HOURS_BEFORE", 48))


def due_reminder_ids(now=None):
    now = now or timezone.now()
    return list(
        Registration.objects.filter(
            status=Registration.Status.CONFIRMED,
            reminder_sent_at__isnull=True,
            event__status=EventPage.Status.SCHEDULED,
            event__live=True,
            event__start__gt=now,
            event__start__lte=now + reminder_lead_time(),
        ).values_list("pk", flat=True)
    )


def send_due_reminders(now=None):
    """Sends each due reminder exactly once, even with several workers running this at the same time.

    Each registration is claimed by a conditional UPDATE (reminder_sent_at IS NULL); the database lets only
    one worker's UPDATE match, and only that worker sends. If sending fails the claim is released, so the
    next run tries again; the others carry on. Returns how many were sent.

    People without e-mail get their reminder their way: the claim and a call (or letter) on the
    coordinators' call list are one transaction, so it is added once too.
    """
    now = now or timezone.now()
    sent = 0
    due = due_reminder_ids(now)
    without_email = set(Registration.objects.filter(pk__in=due, email="").values_list("pk", flat=True))
    for pk in due:
        if pk in without_email:
            with transaction.atomic(), purging():  # a call to make shows on no public page
                claimed = Registration.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(
                    reminder_sent_at=now
                )
                if claimed:
                    add_contact_task(Registration.objects.get(pk=pk), NoticeKind.REMINDER)
                    sent += 1
            continue
        claimed = Registration.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        )
        if not claimed:
            continue
        try:
            emails.deliver_registration_email(pk, "reminder")
        except Exception:
            logger.exception("Reminder for registration %s failed; the next run will retry it", pk)
            Registration.objects.filter(pk=pk, reminder_sent_at=now).update(reminder_sent_at=None)
            continue
        sent += 1
    return sent


def purge_access_needs(now=None):
    """Deletes access and dietary information whose retention time has passed. Returns the count.

    That a carer or PA came, and their name, is access information too and goes with the rest. The
    stored `seats` stays as it was: the event's past seat count does not change (`update` bypasses
    Registration.save, which would recount it).
    """
    now = now or timezone.now()
    return Registration.objects.filter(
        Q(access_info_retain_until__lte=now),
        Q(access_info_purged_at__isnull=True),
    ).update(
        access_needs=[],
        access_needs_other="",
        dietary_needs="",
        brings_carer=False,
        carer_name="",
        consent_to_keep_access_info=False,
        access_info_purged_at=now,
    )
