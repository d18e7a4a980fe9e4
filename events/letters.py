"""Paper for people who are not online, and for the room: a registrant's letter (confirmation, change,
reminder), the call list's words, and an event's sign-in sheet. All rendered by `portal.pdf`.

What must stay true: access needs and dietary needs are health data and appear on no printed page. A
letter says a carer's or PA's seat is kept (the person's own booking) and who to call to check their
needs, never what the needs are; the sign-in sheet shows names and seats only. A letter is large print
when the person asked for large print, or when the coordinator asks for it.
"""

from django.utils import timezone

from portal.pdf import render_pdf

from .choices import AccessProvision, NoticeKind
from .models import Registration

HEADLINES = {
    NoticeKind.CONFIRMED: "Your place is confirmed",
    NoticeKind.WAITING: "You are on the waiting list",
    NoticeKind.PROMOTED: "Good news: a place is free for you",
    NoticeKind.CANCELLED: "Your place is cancelled",
    NoticeKind.RESTORED: "Your place is back",
    NoticeKind.EVENT_CHANGED: "The event has changed",
    NoticeKind.EVENT_CANCELLED: "The event is cancelled",
    NoticeKind.REMINDER: "A reminder about your place",
}


def default_kind(registration):
    """What a letter printed now says when nothing in particular happened: where the place stands."""
    if registration.event.is_cancelled:
        return NoticeKind.EVENT_CANCELLED
    return {
        Registration.Status.CONFIRMED: NoticeKind.CONFIRMED,
        Registration.Status.WAITING: NoticeKind.WAITING,
        Registration.Status.CANCELLED: NoticeKind.CANCELLED,
    }[registration.status]


def when_text(event):
    start, end = event.local_start, event.local_end
    if start.date() == end.date():
        return f"{start:%A %-d %B %Y}, {start:%H:%M} to {end:%H:%M} ({event.time_zone_label})"
    return f"{start:%A %-d %B %Y, %H:%M} to {end:%A %-d %B %Y, %H:%M} ({event.time_zone_label})"


def where_text(event):
    if event.format == "online":
        return "Online"
    parts = [
        event.venue_name,
        ", ".join(line.strip() for line in event.venue_address.splitlines() if line.strip()),
    ]
    place = ", ".join(part for part in parts if part)
    return f"{place} (and online)" if event.format == "hybrid" and place else place


def what_to_say(registration, kind):
    """One or two sentences for the person making the call: what to tell them, nothing else."""
    event = registration.event
    title, when = event.title, when_text(event)
    seats = " A seat is kept for their carer or PA." if registration.brings_carer else ""
    position = registration.waiting_position()
    sentences = {
        NoticeKind.CONFIRMED: f"Their place at {title} is confirmed: {when}, {where_text(event)}.{seats}",
        NoticeKind.WAITING: (
            f"{title} is full, so they are on the waiting list"
            + (f" (number {position})" if position else "")
            + ". We will contact them as soon as a place is free."
        ),
        NoticeKind.PROMOTED: f"A place came free at {title} and it is theirs: {when}, {where_text(event)}.{seats}",
        NoticeKind.CANCELLED: f"Their place at {title} ({when}) is cancelled.",
        NoticeKind.RESTORED: f"Their place at {title} is confirmed again: {when}, {where_text(event)}.",
        NoticeKind.EVENT_CHANGED: f"{title} has changed. It is now {when}, {where_text(event)}.",
        NoticeKind.EVENT_CANCELLED: f"We are sorry: {title} ({when}) is cancelled.",
        NoticeKind.REMINDER: f"A reminder: {title} is {when}, {where_text(event)}.{seats}",
    }
    return sentences[NoticeKind(kind)]


def wants_large_print(registration):
    return AccessProvision.LARGE_PRINT in (registration.access_needs or [])


def letter_context(registration, kind, *, today=None):
    event = registration.event
    kind = NoticeKind(kind)
    has_place = registration.status == Registration.Status.CONFIRMED and not event.is_cancelled
    return {
        "registration": registration,
        "event": event,
        "kind": kind.value,
        "headline": HEADLINES[kind],
        "when": when_text(event),
        "where": where_text(event),
        "has_place": has_place,
        "show_joining_details": has_place and event.format != "in_person" and bool(event.joining_details),
        "waiting_position": registration.waiting_position(),
        "adjustments_by": (
            event.access_requests_by.astimezone(event.zone)
            if event.access_requests_by and event.access_requests_by > timezone.now()
            else None
        ),
        "today": today or timezone.localdate(),
    }


def render_letter(registration, kind=None, *, large_print=None):
    """The letter for a registrant (PDF bytes): `kind` says what it is about (default: where their place
    stands); large print when asked for, or when the person asked for large print."""
    kind = kind or default_kind(registration)
    if large_print is None:
        large_print = wants_large_print(registration)
    return render_pdf("events/pdf/letter.html", letter_context(registration, kind), large_print=large_print)


def sign_in_rows(event):
    """The confirmed places in sheet order (by name), for the sheet and the screen that ticks it."""
    return sorted(
        Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED),
        key=lambda r: (r.name.casefold(), r.pk),
    )


def render_sign_in_sheet(event, *, large_print=False, blank_rows=5):
    """The register for the room: names, seats (a carer's or PA's too) and a column to sign; blank rows
    for people who come without a booking. No access or dietary needs."""
    rows = sign_in_rows(event)
    return render_pdf(
        "events/pdf/sign_in_sheet.html",
        {
            "event": event,
            "rows": rows,
            "when": when_text(event),
            "where": where_text(event),
            "blank_rows": range(blank_rows),
            "seats": sum(r.seats for r in rows),
        },
        large_print=large_print,
    )
