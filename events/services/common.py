"""What every events service shares: the refusals people see, the event lock, the e-mail queue and how
long access information is kept."""

from datetime import timedelta

from django.db import transaction

from portal.locking import lock_one

from ..models import EventPage, Registration, access_retention_period
from ..tasks import send_registration_email


class RegistrationRefused(Exception):
    """A registration or change that cannot happen; the message is shown to the person."""


class RegistrationClosed(RegistrationRefused):
    pass


class EventFull(RegistrationRefused):
    pass


class EventBusy(RegistrationRefused):
    """Another change to the same event held its lock for longer than the lock timeout."""


class AlreadyRegistered(RegistrationRefused):
    def __init__(self, registration):
        self.registration = registration
        super().__init__(
            "You are already registered for this event with this e-mail address. We have sent you a new "
            "link to see or change your place."
        )


def _email(registration_id, kind):
    transaction.on_commit(lambda: send_registration_email.enqueue(registration_id, kind))


def _lock_event(event):
    """Locks and returns a fresh copy of the event (see portal.locking).

    Only the event's own row (`of=("self",)`), not its page row: saving a page (publishing) writes the
    page row, then the event's, so a lock on both, taken event first, could wait for a publisher that
    waits for it (a deadlock PostgreSQL ends by failing one of them). The event's row is the one lock
    every change of its registrations takes.
    """
    return lock_one(EventPage.objects.all(), of=("self",), pk=event.pk, timeout_error=EventBusy)


def _lock_registration(registration, queryset=None):
    """Locks and returns a fresh copy of a registration; callers lock its event first."""
    queryset = Registration.objects.all() if queryset is None else queryset
    return lock_one(queryset, pk=registration.pk, timeout_error=EventBusy)


def confirmed_seats(event):
    return Registration.objects.filter(event=event).confirmed_seats()


def _recount_seats(event):
    """Writes the event's `confirmed_seats` column from its registrations (one UPDATE).

    Every service that can change an event's confirmed seats calls it after its writes, under the
    event's lock and in the same transaction, so the column other requests read (places left, the
    listing's filter) is exact from the moment the change commits.
    """
    EventPage.objects.filter(pk=event.pk).recount_confirmed_seats()


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
