"""iCalendar output with icalendar 7.

Every VEVENT carries the UID stored on the event and its SEQUENCE; times are written in the event's own
zone with a VTIMEZONE for it (built for the events' date range only). Public output (per-event file and
feed) carries no personal data and no joining details; only e-mails to a confirmed attendee add them.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vDuration

PRODID = "-//Co-production Portal//Events//EN"
REFRESH_INTERVAL = timedelta(hours=6)


def _organizer():
    from email.utils import parseaddr

    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    if name:
        organizer.params["CN"] = name
    return organizer


def _location(event):
    if event.format == event.Format.ONLINE:
        return "Online"
    parts = [event.venue_name, " ".join(event.venue_address.split())]
    return ", ".join(part for part in parts if part)


def build_vevent(event, *, base_url="", registration=None, include_private=False, method=None):
    description = [event.summary]
    if event.provision_labels:
        description.append("Access: " + ", ".join(event.provision_labels) + ".")
    if event.contact_phone:
        description.append(f"Questions: {event.contact_phone}")
    if include_private and event.joining_details:
        description.append("How to join: " + event.joining_details)
    vevent = Event.new(
        uid=event.ical_uid,
        sequence=event.ical_sequence,
        stamp=timezone.now(),
        start=event.local_start,
        end=event.local_end,
        summary=event.title,
        description="\n\n".join(description),
        location=_location(event) or None,
        # A CANCEL message cancels the event for whoever receives it (their own place, or the whole
        # event); RFC 5546 allows only STATUS:CANCELLED in it.
        status="CANCELLED" if event.is_cancelled or method == "CANCEL" else "CONFIRMED",
        url=(base_url + event.url) if base_url and event.url else None,
        last_modified=event.last_published_at or None,
    )
    if event.follows_up_on_id and event.follows_up_on is not None:
        vevent.add("related-to", event.follows_up_on.ical_uid, parameters={"RELTYPE": "PARENT"})
    for follow_up in getattr(event, "prefetched_follow_ups", None) or []:
        vevent.add("related-to", follow_up.ical_uid, parameters={"RELTYPE": "CHILD"})
    if registration is not None and registration.email:  # an ATTENDEE is a mailto: address
        vevent.add("organizer", _organizer())
        attendee = vCalAddress(f"mailto:{registration.email}")
        attendee.params["CN"] = registration.name
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = "DECLINED" if registration.status == "cancelled" else "ACCEPTED"
        vevent.add("attendee", attendee)
    return vevent


def build_calendar(
    events,
    *,
    method=None,
    name=None,
    base_url="",
    registration=None,
    include_private=False,
    calendar_uid=None,
):
    events = list(events)
    calendar = Calendar.new(
        prodid=PRODID,
        method=method,
        name=name,
        refresh_interval=REFRESH_INTERVAL if name else None,
        # Stable: a calendar app must not see a new calendar on every download.
        uid=calendar_uid
        or (f"calendar-{events[0].ical_uid}" if len(events) == 1 else "events@coproduction-portal"),
    )
    if name:
        # Outlook reads this older name for REFRESH-INTERVAL (icalendar already writes X-WR-CALNAME).
        calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for event in events:
        calendar.add_component(
            build_vevent(
                event,
                base_url=base_url,
                registration=registration,
                include_private=include_private,
                method=method,
            )
        )
    if events:
        first = min(event.local_start for event in events).date() - timedelta(days=1)
        last = max(event.local_end for event in events).date() + timedelta(days=1)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar


def event_calendar_bytes(event, *, method="PUBLISH", base_url="", registration=None, include_private=False):
    return build_calendar(
        [event], method=method, base_url=base_url, registration=registration, include_private=include_private
    ).to_ical()
