"""Changes to a whole event: cancelling it, publishing a change of time or place, a follow-up event."""

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from portal.cache import purging

from ..audit import EVENT_CANCELLED, log_change
from ..models import EventPage, Registration
from .common import _lock_event, _notify, _recount_seats, _retain_until
from .registrations import _promote_waiting


def _notify_all(event, kind):
    registrations = Registration.objects.filter(
        event=event, status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITING]
    ).only("pk", "email", "phone", "postal_address", "preferred_contact")
    for registration in registrations:
        _notify(registration, kind)


def cancel_event(event, *, actor=None):
    """Cancels an event: SEQUENCE goes up and everyone registered gets METHOD:CANCEL (people without
    e-mail: a call or letter on the call list). Idempotent.
    Purges the event's page (with the index and home above it), its calendar file and the feed."""
    with transaction.atomic(), purging(event, reverse("events:feed")):
        event = _lock_event(event)
        if event.is_cancelled:
            return event
        now = timezone.now()
        EventPage.objects.filter(pk=event.pk).update(
            status=EventPage.Status.CANCELLED, cancelled_at=now, ical_sequence=F("ical_sequence") + 1
        )
        event.refresh_from_db()
        _notify_all(event, "event_cancelled")
        log_change(event, EVENT_CANCELLED, user=actor)
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
    details), SEQUENCE goes up and everyone registered is told; a raised capacity promotes waiting people.
    Publishing purged the event's page, its calendar file and the feed already; this purges them again
    with what it writes (the SEQUENCE, promotions)."""
    with transaction.atomic(), purging(event):
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
        # Also when nobody was promoted: publishing saved the page, and the count written under this
        # lock is the registrations' own, whatever an older copy of the page held.
        _recount_seats(locked)
    event.refresh_from_db(fields=["ical_sequence", "schedule_fingerprint", "confirmed_seats"])
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
