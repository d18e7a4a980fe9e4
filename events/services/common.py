"""What every events service shares: the refusals people see, the event lock, the e-mail queue and how
long access information is kept."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.locking import lock_one

from ..choices import ContactMethod, ContactPreference, NoticeKind
from ..models import ContactTask, EventPage, Registration, access_retention_period
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
    def __init__(self, registration, message=None):
        self.registration = registration
        super().__init__(
            message
            or "You are already registered for this event with this e-mail address. We have sent you a new "
            "link to see or change your place."
        )


def _email(registration_id, kind):
    """Queues an e-mail to the registration's address once the transaction commits."""
    transaction.on_commit(lambda: send_registration_email.enqueue(registration_id, kind))


def contact_method(registration, kind):
    """How a person without e-mail hears about `kind`: the way they prefer, if we have what it needs.

    A reminder goes out two days before the event, too late for the post, so it is a call (or a text)
    whenever there is a phone number.
    """
    preference = registration.preferred_contact
    if registration.phone:
        if preference == ContactPreference.TEXT:
            return ContactMethod.TEXT
        if preference == ContactPreference.PHONE or kind == NoticeKind.REMINDER:
            return ContactMethod.PHONE
    if registration.postal_address:
        return ContactMethod.POST
    return ContactMethod.PHONE if registration.phone else ContactMethod.POST


# Notices that say where a place stands: a newer one replaces an open older one (nobody should be
# called to hear they are on the waiting list after they were given a place).
STANDING_KINDS = {
    NoticeKind.CONFIRMED,
    NoticeKind.WAITING,
    NoticeKind.PROMOTED,
    NoticeKind.CANCELLED,
    NoticeKind.RESTORED,
    NoticeKind.EVENT_CANCELLED,
}


def add_contact_task(registration, kind):
    """The call or letter that replaces an e-mail for someone without an address; one open task per
    person and subject (a second change of the same kind joins the open one), and a notice of where
    their place stands closes the open ones it replaces. Runs inside the caller's transaction, so a
    change that rolls back leaves no task."""
    task = ContactTask.objects.filter(
        registration_id=registration.pk, kind=kind, done_at__isnull=True
    ).first()
    if task is not None:
        return task
    if kind in STANDING_KINDS:
        ContactTask.objects.filter(
            registration_id=registration.pk, kind__in=STANDING_KINDS - {kind}, done_at__isnull=True
        ).update(
            done_at=timezone.now(),
            outcome=f"Not needed: replaced by a later notice ({NoticeKind(kind).label.lower()})",
        )
    with transaction.atomic():
        return ContactTask.objects.create(
            registration_id=registration.pk, kind=kind, method=contact_method(registration, kind)
        )


def _notify(registration, kind):
    """Tells the person about a change to their place, their way: an e-mail (queued after commit) when
    they have an address, otherwise a call or letter on the coordinators' call list (`ContactTask`).
    Every sender in events goes through here, so nothing is ever e-mailed to a blank address."""
    if registration.email:
        _email(registration.pk, kind)
    else:
        add_contact_task(registration, kind)


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
