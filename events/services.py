"""Every state change of events and registrations.

The capacity invariant: the confirmed seats of an event (carers and PAs count) never exceed its capacity.
It holds under concurrent requests because every change that can add confirmed seats locks the event row
first (`select_for_update`), then counts, then writes, all in one transaction. PostgreSQL makes the second
request wait at the lock; SQLite ignores the lock but its IMMEDIATE transactions serialise writers.

E-mails and signals go out only after the transaction commits (`transaction.on_commit`), so nobody is told
about a place that was rolled back.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import EventPage, Registration, access_retention_period
from .signals import attendance_recorded

logger = logging.getLogger(__name__)

# Switched off only by the control test that proves the race is real without the lock.
USE_EVENT_LOCK = True
# Seconds to wait between counting and writing; tests widen the race window with it (0 in real use).
RACE_WINDOW_SECONDS = 0


class RegistrationRefused(Exception):
    """A registration or change that cannot happen; the message is shown to the person."""


class RegistrationClosed(RegistrationRefused):
    pass


class EventFull(RegistrationRefused):
    pass


class AlreadyRegistered(RegistrationRefused):
    def __init__(self, registration):
        self.registration = registration
        super().__init__(
            "You are already registered for this event with this e-mail address. We have sent you a new "
            "link to see or change your place."
        )


@dataclass
class RegistrationResult:
    registration: Registration
    created: bool


def _email(registration_id, kind):
    from .tasks import send_registration_email

    transaction.on_commit(lambda: send_registration_email.enqueue(registration_id, kind))


def _lock_event(event):
    """Locks and returns a fresh copy of the event (the lock is skipped only by the control test)."""
    queryset = EventPage.objects.all()
    if USE_EVENT_LOCK:
        queryset = queryset.select_for_update()
    return queryset.get(pk=event.pk)


def confirmed_seats(event):
    return Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).aggregate(
        seats=Coalesce(Sum("seats"), 0)
    )["seats"]


def _retain_until(event, consent):
    # Without consent access information goes as soon as the event is over (a day's grace for late notes).
    return event.end + (access_retention_period() if consent else timedelta(days=1))


def _apply_needs(registration, data):
    for name in ("access_needs", "access_needs_other", "dietary_needs", "consent_to_keep_access_info"):
        if name in data:
            setattr(registration, name, data[name] or ([] if name == "access_needs" else data[name]))
    registration.access_info_retain_until = _retain_until(
        registration.event, registration.consent_to_keep_access_info
    )


def register(event, *, data, user=None):
    """Registers a person (and their carer or PA) for an event.

    Invariants: confirmed seats never exceed capacity; when full (or while others wait) the person joins the
    waiting list if it is on, otherwise EventFull is raised; registration only inside the event's window (RegistrationClosed);
    one registration per e-mail and event: a second attempt raises AlreadyRegistered and e-mails a fresh
    manage link, while a cancelled registration is reopened (going to the back of the queue).
    """
    email = data["email"].strip().lower()
    duplicate = None
    with transaction.atomic():
        event = _lock_event(event)
        is_open, reason = event.registration_state()
        if not is_open:
            raise RegistrationClosed(reason)
        registration = Registration.objects.filter(event=event, email=email).first()
        if registration is not None and registration.status != Registration.Status.CANCELLED:
            duplicate = registration
        else:
            taken = confirmed_seats(event)
            if RACE_WINDOW_SECONDS:
                time.sleep(RACE_WINDOW_SECONDS)
            seats = 2 if data.get("brings_carer") else 1
            # Newcomers never overtake the waiting list: while anyone waits, a free seat belongs to the
            # queue (a coordinator may still promote someone out of turn).
            queue_waiting = (
                event.capacity is not None
                and Registration.objects.filter(event=event, status=Registration.Status.WAITING).exists()
            )
            if event.capacity is None or (not queue_waiting and taken + seats <= event.capacity):
                status = Registration.Status.CONFIRMED
            elif event.waiting_list_enabled:
                status = Registration.Status.WAITING
            else:
                raise EventFull("Sorry, this event is full and has no waiting list.")
            created = registration is None
            if created:
                registration = Registration(event=event, email=email)
            now = timezone.now()
            registration.event = event
            registration.user = user or registration.user
            registration.name = data["name"]
            registration.phone = data.get("phone", "")
            registration.preferred_contact = (
                data.get("preferred_contact") or Registration.ContactPreference.EMAIL
            )
            registration.brings_carer = bool(data.get("brings_carer"))
            registration.carer_name = data.get("carer_name", "") if registration.brings_carer else ""
            _apply_needs(registration, data)
            registration.status = status
            registration.created_at = now
            registration.confirmed_at = now if status == Registration.Status.CONFIRMED else None
            registration.cancelled_at = None
            registration.reminder_sent_at = None
            registration.attendance = ""
            try:
                with transaction.atomic():
                    registration.save()
            except IntegrityError:
                # Two first registrations with one e-mail at once (possible only without the lock).
                duplicate = Registration.objects.get(event=event, email=email)
            else:
                _email(registration.pk, "confirmed" if status == Registration.Status.CONFIRMED else "waiting")
    if duplicate is not None:
        # Outside the atomic block, so the fresh link goes out although the caller gets an exception.
        _email(duplicate.pk, "manage_link")
        raise AlreadyRegistered(duplicate)
    return RegistrationResult(registration=registration, created=created)


def _promote_waiting(event):
    """Confirms people from the waiting list, first come first served, while whole parties fit.

    Stops at the first party that does not fit rather than letting someone further back jump the queue.
    Must run inside a transaction holding the event lock. Returns the promoted registrations.
    """
    if event.capacity is None:
        waiting = list(Registration.objects.filter(event=event, status=Registration.Status.WAITING))
        free = None
    else:
        free = event.capacity - confirmed_seats(event)
        if free <= 0:
            return []
        waiting = Registration.objects.select_for_update().filter(
            event=event, status=Registration.Status.WAITING
        )
    promoted = []
    now = timezone.now()
    for registration in waiting.order_by("created_at", "pk") if free is not None else waiting:
        if free is not None and registration.seats > free:
            break
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        promoted.append(registration)
        if free is not None:
            free -= registration.seats
        _email(registration.pk, "promoted")
    return promoted


def cancel_registration(registration, *, notify=True):
    """Cancels a place and promotes from the waiting list. Idempotent: cancelling twice changes nothing."""
    with transaction.atomic():
        event = _lock_event(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            return registration, []
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        if notify:
            _email(registration.pk, "cancelled")
        # Also when a waiting person leaves: the party behind them may fit where they did not.
        promoted = _promote_waiting(event) if not event.is_cancelled else []
    return registration, promoted


def change_needs(registration, *, data):
    """Changes access needs, dietary needs, contact details and whether a carer or PA comes.

    Adding a carer takes a second seat, so it is refused when that would go over capacity; dropping one
    frees a seat and promotes from the waiting list.
    """
    with transaction.atomic():
        event = _lock_event(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        registration.event = event
        if registration.status == Registration.Status.CANCELLED:
            raise RegistrationRefused("This place has been cancelled, so it cannot be changed.")
        old_seats = registration.seats
        new_carer = bool(data.get("brings_carer", registration.brings_carer))
        new_seats = 2 if new_carer else 1
        if (
            registration.status == Registration.Status.CONFIRMED
            and new_seats > old_seats
            and event.capacity is not None
            and confirmed_seats(event) - old_seats + new_seats > event.capacity
        ):
            raise EventFull(
                "There is no free seat for a carer or PA at the moment. Please call the contact number so we "
                "can help."
            )
        registration.brings_carer = new_carer
        for name in ("carer_name", "phone", "preferred_contact"):
            if name in data:
                setattr(registration, name, data[name])
        _apply_needs(registration, data)
        registration.access_info_purged_at = None
        registration.save()
        if new_seats < old_seats and not event.is_cancelled:
            # A confirmed party frees a seat, or the waiting party at the front now fits.
            _promote_waiting(event)
    return registration


def promote(registration):
    """A coordinator confirms someone from the waiting list out of turn, if their party fits."""
    with transaction.atomic():
        event = _lock_event(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Registration.Status.WAITING:
            raise RegistrationRefused(f"{registration.name} is not on the waiting list.")
        if event.capacity is not None and confirmed_seats(event) + registration.seats > event.capacity:
            raise EventFull(
                f"There are not enough free seats for {registration.name}. Raise the capacity first, or wait "
                "for a cancellation."
            )
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = timezone.now()
        registration.save(update_fields=["status", "confirmed_at"])
        _email(registration.pk, "promoted")
    return registration


def mark_attendance(registration, attendance):
    """Records attended / no-show for a confirmed place; sends `attendance_recorded` after commit."""
    if attendance not in (Registration.Attendance.ATTENDED, Registration.Attendance.NO_SHOW):
        raise RegistrationRefused("Choose attended or did not come.")
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
        )
        if registration.status != Registration.Status.CONFIRMED:
            raise RegistrationRefused("Attendance can only be recorded for confirmed places.")
        if registration.attendance == attendance:
            return registration
        registration.attendance = attendance
        registration.attendance_recorded_at = timezone.now()
        registration.save(update_fields=["attendance", "attendance_recorded_at"])
        transaction.on_commit(
            lambda: attendance_recorded.send(sender=Registration, registration=registration)
        )
    return registration


def _notify_all(event, kind):
    ids = Registration.objects.filter(
        event=event, status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITING]
    ).values_list("pk", flat=True)
    for pk in ids:
        _email(pk, kind)


def cancel_event(event):
    """Cancels an event: SEQUENCE goes up and everyone registered gets METHOD:CANCEL. Idempotent."""
    with transaction.atomic():
        event = _lock_event(event)
        if event.is_cancelled:
            return event
        now = timezone.now()
        EventPage.objects.filter(pk=event.pk).update(
            status=EventPage.Status.CANCELLED, cancelled_at=now, ical_sequence=F("ical_sequence") + 1
        )
        event.refresh_from_db()
        _notify_all(event, "event_cancelled")
    return event


def schedule_fingerprint(event):
    return event.compute_schedule_fingerprint()


def _reset_retention(event):
    """Retention counts from the event's end: when the event moves, so does the day its access data goes."""
    registrations = Registration.objects.filter(event=event, access_info_purged_at__isnull=True)
    registrations.filter(consent_to_keep_access_info=True).update(
        access_info_retain_until=_retain_until(event, True)
    )
    registrations.filter(consent_to_keep_access_info=False).update(
        access_info_retain_until=_retain_until(event, False)
    )


def event_published(event):
    """Called whenever an event is published. If what attendees rely on changed (time, place, joining
    details), SEQUENCE goes up and everyone registered is told; a raised capacity promotes waiting people."""
    with transaction.atomic():
        locked = _lock_event(event)
        fingerprint = schedule_fingerprint(locked)
        if not locked.schedule_fingerprint:
            EventPage.objects.filter(pk=locked.pk).update(schedule_fingerprint=fingerprint)
        elif fingerprint != locked.schedule_fingerprint:
            EventPage.objects.filter(pk=locked.pk).update(
                schedule_fingerprint=fingerprint, ical_sequence=F("ical_sequence") + 1
            )
            if not locked.is_cancelled:
                _notify_all(locked, "event_changed")
            _reset_retention(locked)
        if not locked.is_cancelled:
            _promote_waiting(locked)
    event.refresh_from_db(fields=["ical_sequence", "schedule_fingerprint"])
    return event


def change_event(event, **changes):
    """Changes an event's details and publishes them; attendees are told through `event_published`."""
    for name, value in changes.items():
        setattr(event, name, value)
    event.full_clean()
    event.save_revision().publish()
    event.refresh_from_db()
    return event


def create_follow_up(event, *, start, end=None, title=None, user=None):
    """Copies an event's details to a new draft event on a new date that follows up on it."""
    end = end or start + (event.end - event.start)
    title = title or f"Follow-up: {event.title}"
    parent = event.get_parent()
    slug_base = (event.slug[:40] + "-follow-up")[:50]
    slug = slug_base
    counter = 2
    while parent.get_children().filter(slug=slug).exists():
        slug = f"{slug_base}-{counter}"
        counter += 1
    follow_up = EventPage(
        title=title,
        slug=slug,
        live=False,
        summary=event.summary,
        body=event.body.raw_data,
        event_type=EventPage.EventType.FOLLOW_UP,
        format=event.format,
        start=start,
        end=end,
        time_zone=event.time_zone,
        venue_name=event.venue_name,
        venue_address=event.venue_address,
        directions=event.directions,
        capacity=event.capacity,
        waiting_list_enabled=event.waiting_list_enabled,
        access_provisions=list(event.access_provisions),
        access_provisions_other=event.access_provisions_other,
        expenses_covered=event.expenses_covered,
        contact_phone=event.contact_phone,
        contact_email=event.contact_email,
        is_paid_involvement=event.is_paid_involvement,
        involvement_activity_type=event.involvement_activity_type,
        follows_up_on=event,
        owner=user,
    )
    parent.add_child(instance=follow_up)
    follow_up.save_revision(user=user)
    return follow_up


# Reminders -------------------------------------------------------------------------------------
def reminder_lead_time():
    from django.conf import settings

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
    """
    from . import tasks

    now = now or timezone.now()
    sent = 0
    for pk in due_reminder_ids(now):
        claimed = Registration.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        )
        if not claimed:
            continue
        try:
            tasks.deliver_registration_email(pk, "reminder")
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
