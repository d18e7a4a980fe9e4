"""Every state change of events and registrations.

The capacity invariant: the confirmed seats of an event (carers and PAs count) never exceed its capacity.
It holds under concurrent requests because every change that can add confirmed seats locks the event row
first (`portal.locking`), then counts, then writes, all in one transaction. PostgreSQL makes the second
request wait at the lock; SQLite ignores the lock but its IMMEDIATE transactions serialise writers.

E-mails and signals go out only after the transaction commits (`transaction.on_commit`), so nobody is told
about a place that was rolled back: each e-mail is a task (`events.tasks`, queue "email") enqueued then,
sent by a worker when TASKS_BACKEND=database, never inside the request.

The page cache (`portal.cache`): a change to an event's places purges only the pages that show them,
the event's page and the pages above it (the events index, the home page), through `purging(event)`;
attendance shows on no public page and purges nothing.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal import ratelimit
from portal.cache import purging
from portal.http import client_ip
from portal.locking import lock_rows, race_point

from ..audit import (
    ATTENDANCE,
    CANCELLED,
    JOINED_WAITING_LIST,
    NEEDS_CHANGED,
    PROMOTED,
    REGISTERED,
    RESTORED,
    log_change,
)
from ..choices import BookingChannel
from ..models import Registration
from ..models.registration import normalise_name, normalise_phone
from ..signals import attendance_recorded
from .common import (
    AlreadyRegistered,
    EventBusy,
    EventFull,
    RegistrationClosed,
    RegistrationRefused,
    _apply_needs,
    _email,
    _lock_event,
    _lock_registration,
    _notify,
    _recount_seats,
    confirmed_seats,
)


@dataclass
class RegistrationResult:
    registration: Registration
    created: bool


class SeatTaken(RegistrationRefused):
    """Undoing a cancellation found the seat gone (to someone promoted from the waiting list, or a new
    registration); `waiting_list` says whether the person may join the waiting list instead."""

    def __init__(self, registration, *, waiting_list):
        self.registration = registration
        self.waiting_list = waiting_list
        super().__init__(
            "Someone else has your seat now, so we cannot give it back."
            + (
                " You can join the waiting list: we will e-mail you if a place comes free."
                if waiting_list
                else " This event has no waiting list."
            )
        )


def check_rate_limit(request):
    """Counts this registration against the sender's allowance (per client address, in the shared cache):
    each registration e-mails the address it names, so a script must not send many."""
    limit, window = settings.EVENTS_REGISTER_RATE_LIMIT
    if ratelimit.hit("events.register", client_ip(request), window) > limit:
        raise RegistrationRefused(
            "Several registrations have come from your connection in a short time. Please wait a few "
            "minutes and try again; what you wrote is still in the form."
        )


def _contact_details(data, *, on_behalf):
    """The e-mail address, phone, postal address and preferred way of contact a registration keeps.

    Online, the e-mail address is required (the forms ask for it). A coordinator booking for someone may
    leave it out, but then needs a phone number or a postal address, and the person's agreement that we
    keep them. The preferred way must be one we can use; without an e-mail address, "e-mail" becomes a
    call (or a letter when there is no phone number).
    """
    email = (data.get("email") or "").strip().lower()
    phone = (data.get("phone") or "").strip()
    address = "\n".join(
        line.strip() for line in (data.get("postal_address") or "").splitlines() if on_behalf and line.strip()
    )
    consent = bool(data.get("consent_to_keep_contact_details")) if on_behalf else False
    preference = data.get("preferred_contact") or Registration.ContactPreference.EMAIL
    Preference = Registration.ContactPreference
    if not email and not on_behalf:
        raise RegistrationRefused("Give your e-mail address, so we can send your confirmation.")
    if not email and not (phone or address):
        raise RegistrationRefused(
            "We need a way to reach them: an e-mail address, a phone number or a postal address."
        )
    if on_behalf and (phone or address) and not consent:
        raise RegistrationRefused(
            "Ask the person whether we may keep their phone number and postal address, and tick the box "
            "if they agree. Without their agreement we cannot keep them."
        )
    if not email and preference == Preference.EMAIL:
        preference = Preference.PHONE if phone else Preference.POST
    if preference in (Preference.PHONE, Preference.TEXT) and not phone:
        raise RegistrationRefused("Give a phone number if they would like us to call or text them.")
    if preference == Preference.POST and not address:
        raise RegistrationRefused("Give a postal address if they would like letters by post.")
    return {
        "email": email,
        "phone": phone,
        "postal_address": address,
        "preferred_contact": preference,
        "consent_to_keep_contact_details": consent,
    }


def _same_person_without_email(event, name, phone, address):
    """A registration at `event` for the same person, found without an e-mail address: the same name
    (case and spacing aside) and the same phone number or postal address. Active places first, online
    ones too (they already have a place)."""
    name = normalise_name(name)
    phone = normalise_phone(phone)
    address = normalise_name(address)
    matches = [
        registration
        for registration in Registration.objects.filter(event=event).order_by("created_at", "pk")
        if normalise_name(registration.name) == name
        and (
            (phone and normalise_phone(registration.phone) == phone)
            or (address and normalise_name(registration.postal_address) == address)
        )
    ]
    active = [r for r in matches if r.status != Registration.Status.CANCELLED]
    # A cancelled place is reopened only if it too was booked without e-mail: reopening one made online
    # would drop the address its owner gave.
    reopenable = [r for r in matches if r.status == Registration.Status.CANCELLED and not r.email]
    return (active or reopenable or [None])[0]


def register(event, *, data, user=None, now=None, request=None, entered_by=None, booked_via=None):
    """Registers a person (and their carer or PA) for an event, online by themselves or, with
    `entered_by`, by a coordinator for them (`booked_via` phone, post or in person).

    Invariants: confirmed seats never exceed capacity; when full (or while others wait) the person joins the
    waiting list if it is on, otherwise EventFull is raised; registration only inside the event's window (RegistrationClosed);
    one registration per person and event: a second attempt raises AlreadyRegistered (online, it also
    e-mails a fresh manage link), while a cancelled registration is reopened (going to the back of the
    queue). A person is the same e-mail address, or, booked without one, the same name with the same phone
    number or postal address (`_same_person_without_email`).
    A booking on someone's behalf follows exactly these rules; it is logged as entered by the coordinator
    for the person, and the person is told their way (`common._notify`: e-mail, or a call or letter).
    `user` is the person's own account, if any.
    `now` is when the person registered (demo data records registrations made earlier); the window is
    checked as of then. Refused first: the honeypot filled in, or (given the `request`) more registrations
    from its client address than `EVENTS_REGISTER_RATE_LIMIT` allows.
    """
    if data.get("website"):
        raise RegistrationRefused("Your registration could not be sent. Please leave the last field empty.")
    on_behalf = entered_by is not None
    if booked_via is None:
        booked_via = BookingChannel.PHONE if on_behalf else BookingChannel.ONLINE
    if on_behalf == (booked_via == BookingChannel.ONLINE):
        raise ValueError("A booking entered by a coordinator says how it came (phone, post or in person).")
    contact = _contact_details(data, on_behalf=on_behalf)
    if request is not None:
        check_rate_limit(request)
    when = now
    email = contact["email"]
    duplicate = None
    with transaction.atomic(), purging(event):
        event = _lock_event(event)
        is_open, reason = event.registration_state(when)
        if not is_open:
            raise RegistrationClosed(reason)
        if email:
            registration = Registration.objects.filter(event=event, email=email).first()
        else:
            registration = _same_person_without_email(
                event, data["name"], contact["phone"], contact["postal_address"]
            )
        if registration is not None and registration.status != Registration.Status.CANCELLED:
            duplicate = registration
        else:
            taken = confirmed_seats(event)
            race_point("events.register")
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
            now = when or timezone.now()
            registration.event = event
            registration.user = user or registration.user
            registration.name = data["name"]
            for name, value in contact.items():
                setattr(registration, name, value)
            registration.booked_via = booked_via
            registration.entered_by = entered_by
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
                confirmed = status == Registration.Status.CONFIRMED
                if confirmed:
                    _recount_seats(event)
                _notify(registration, "confirmed" if confirmed else "waiting")
                extra = {"on_behalf": True, "via": booked_via, "for": registration.name} if on_behalf else {}
                log_change(
                    registration,
                    REGISTERED if confirmed else JOINED_WAITING_LIST,
                    user=entered_by if on_behalf else user,
                    **extra,
                )
    if duplicate is not None:
        if on_behalf:
            raise AlreadyRegistered(
                duplicate,
                f"{duplicate.name} already has a booking for this event "
                f"({duplicate.get_status_display().lower()}). Find them on the attendees page.",
            )
        # Outside the atomic block, so the fresh link goes out although the caller gets an exception.
        _email(duplicate.pk, "manage_link")
        raise AlreadyRegistered(duplicate)
    return RegistrationResult(registration=registration, created=created)


def _promote_waiting(event):
    """Confirms people from the waiting list, first come first served, while whole parties fit.

    Stops at the first party that does not fit rather than letting someone further back jump the queue.
    Must run inside a transaction holding the event lock; the caller then recounts the event's seats
    (`_recount_seats`). Returns the promoted registrations.
    """
    if event.capacity is None:
        waiting = list(Registration.objects.filter(event=event, status=Registration.Status.WAITING))
        free = None
    else:
        free = event.capacity - confirmed_seats(event)
        if free <= 0:
            return []
        waiting = lock_rows(
            Registration.objects.filter(event=event, status=Registration.Status.WAITING).order_by(
                "created_at", "pk"
            ),
            timeout_error=EventBusy,
        )
    promoted = []
    now = timezone.now()
    for registration in waiting:
        if free is not None and registration.seats > free:
            break
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        promoted.append(registration)
        if free is not None:
            free -= registration.seats
        _notify(registration, "promoted")
        log_change(registration, PROMOTED, automatic=True)
    return promoted


def cancel_registration(registration, *, notify=True, actor=None):
    """Cancels a place and promotes from the waiting list. Idempotent: cancelling twice changes nothing.
    `actor` is who did it when it was not the registrant (through their link)."""
    with transaction.atomic(), purging(registration.event):
        event = _lock_event(registration.event)
        registration = _lock_registration(registration)
        if registration.status == Registration.Status.CANCELLED:
            return registration, []
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        if notify:
            _notify(registration, "cancelled")
        log_change(registration, CANCELLED, user=actor)
        # Also when a waiting person leaves: the party behind them may fit where they did not.
        promoted = _promote_waiting(event) if not event.is_cancelled else []
        _recount_seats(event)
    return registration, promoted


def undo_cancellation(registration, *, join_waiting_list=False, now=None):
    """Undoes the registrant's own cancellation while `Registration.can_undo_cancellation` allows it.

    Invariants: it never takes a seat from anyone. A place is restored only if its seats are still free
    (capacity minus confirmed seats, counted under the event's lock); someone promoted from the waiting
    list when the cancellation freed the seat keeps it. When the seat is gone, SeatTaken is raised and
    nothing changes; called again with `join_waiting_list=True`, the person joins the back of the waiting
    list (if the event has one). Someone who left the waiting list goes back to where they were in it,
    and whoever now fits is promoted, as after any change. Undoing twice (a double click) changes
    nothing the second time. Returns the registration.
    """
    now = now or timezone.now()
    with transaction.atomic(), purging(registration.event):
        event = _lock_event(registration.event)
        registration = _lock_registration(registration)
        registration.event = event
        if registration.status != Registration.Status.CANCELLED:
            return registration
        if not registration.can_undo_cancellation(now):
            raise RegistrationRefused(
                "It is too late to undo this cancellation. If registration is still open, you can register "
                "again on the event page."
            )
        had_seat = registration.confirmed_at is not None  # set when a place was confirmed, kept on cancelling
        race_point("events.undo_cancellation")
        seat_free = event.capacity is None or confirmed_seats(event) + registration.seats <= event.capacity
        if had_seat and seat_free:
            registration.status = Registration.Status.CONFIRMED
            registration.confirmed_at = now
        elif not had_seat:
            registration.status = Registration.Status.WAITING  # back where they were in the queue
        elif join_waiting_list and event.waiting_list_enabled:
            registration.status = Registration.Status.WAITING
            registration.created_at = now  # the back of the queue: others were waiting before them
            registration.confirmed_at = None
        else:
            raise SeatTaken(registration, waiting_list=event.waiting_list_enabled)
        registration.cancelled_at = None
        registration.save(update_fields=["status", "confirmed_at", "created_at", "cancelled_at"])
        log_change(registration, RESTORED, status=registration.status)
        promoted = [] if had_seat else _promote_waiting(event)
        if registration.status == Registration.Status.CONFIRMED:
            _notify(registration, "restored")
        elif registration not in promoted:
            _notify(registration, "waiting")
        _recount_seats(event)
    if registration in promoted:
        registration.refresh_from_db()
    return registration


def change_needs(registration, *, data, actor=None):
    """Changes access needs, dietary needs, contact details and whether a carer or PA comes.

    Adding a carer takes a second seat, so it is refused when that would go over capacity; dropping one
    frees a seat and promotes from the waiting list.
    """
    with transaction.atomic(), purging(registration.event):
        event = _lock_event(registration.event)
        registration = _lock_registration(registration)
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
        log_change(registration, NEEDS_CHANGED, user=actor)
        if new_seats < old_seats and not event.is_cancelled:
            # A confirmed party frees a seat, or the waiting party at the front now fits.
            _promote_waiting(event)
        if new_seats != old_seats:
            _recount_seats(event)
    return registration


def promote(registration, *, actor=None):
    """A coordinator (`actor`) confirms someone from the waiting list out of turn, if their party fits."""
    with transaction.atomic(), purging(registration.event):
        event = _lock_event(registration.event)
        registration = _lock_registration(registration)
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
        _recount_seats(event)
        _notify(registration, "promoted")
        log_change(registration, PROMOTED, user=actor, automatic=False)
    return registration


def mark_attendance(registration, attendance, *, now=None, actor=None):
    """Records attended / no-show for a confirmed place; sends `attendance_recorded` after commit."""
    if attendance not in (Registration.Attendance.ATTENDED, Registration.Attendance.NO_SHOW):
        raise RegistrationRefused("Choose attended or did not come.")
    with transaction.atomic(), purging():
        registration = _lock_registration(registration, Registration.objects.select_related("event"))
        if registration.status != Registration.Status.CONFIRMED:
            raise RegistrationRefused("Attendance can only be recorded for confirmed places.")
        if registration.attendance == attendance:
            return registration
        registration.attendance = attendance
        registration.attendance_recorded_at = now or timezone.now()
        registration.save(update_fields=["attendance", "attendance_recorded_at"])
        log_change(registration, ATTENDANCE, user=actor, attendance=attendance)
        transaction.on_commit(
            lambda: attendance_recorded.send(sender=Registration, registration=registration)
        )
    return registration
