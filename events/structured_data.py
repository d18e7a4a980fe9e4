"""schema.org `Event` data for an event page (printed as JSON-LD by home's seo_head on every event page).

What must stay true: times carry the event's own UTC offset; a cancelled event says `EventCancelled`; an
event whose start moved since it was first published says `EventRescheduled` with its previous start; the
joining link (only for confirmed attendees) never appears, an online event's location is its public page.
"""

from django.utils.dateparse import parse_datetime
from wagtail.models import PageLogEntry

from home import seo

from .choices import Format

SCHEMA = "https://schema.org/"
ATTENDANCE_MODES = {
    Format.IN_PERSON: "OfflineEventAttendanceMode",
    Format.ONLINE: "OnlineEventAttendanceMode",
    Format.HYBRID: "MixedEventAttendanceMode",
}


def first_published_start(event):
    """The start the event had when it was first published (from its page log), or None."""
    content = (
        PageLogEntry.objects.filter(page_id=event.pk, action="wagtail.publish", revision__isnull=False)
        .order_by("timestamp", "pk")
        .values_list("revision__content", flat=True)
        .first()
    )
    if not isinstance(content, dict) or not content.get("start"):
        return None
    return parse_datetime(str(content["start"]))


def event_status(event):
    """(schema.org status, previous start or None)."""
    if event.is_cancelled:
        return "EventCancelled", None
    if not event.ical_sequence:
        # Publishing a new time raises SEQUENCE (`event_published`): an event whose SEQUENCE never rose
        # was never moved, and its page log need not be read.
        return "EventScheduled", None
    previous = first_published_start(event)
    if previous is not None and previous != event.start:
        return "EventRescheduled", previous
    return "EventScheduled", None


def place(event):
    address = ", ".join(line.strip() for line in event.venue_address.splitlines() if line.strip())
    data = {"@type": "Place", "name": event.venue_name or address or event.title}
    if address:
        data["address"] = {"@type": "PostalAddress", "streetAddress": address, "addressCountry": "GB"}
    return data


def location(event, url):
    virtual = {"@type": "VirtualLocation", "url": url}
    if event.format == Format.ONLINE:
        return virtual
    if event.format == Format.HYBRID:
        return [place(event), virtual]
    return place(event)


def offer(event, url, valid_from):
    """The free place offered, with whether any are left, while people can still register."""
    is_open, _reason = event.registration_state()
    if not is_open:
        return None
    places_left = event.places_left()
    availability = "InStock" if places_left is None or places_left > 0 else "SoldOut"
    data = {
        "@type": "Offer",
        "price": "0",
        "priceCurrency": "GBP",
        "url": f"{url}#register",
        "availability": SCHEMA + availability,
    }
    if valid_from:
        data["validFrom"] = valid_from.astimezone(event.zone).isoformat()
    return data


def event_structured_data(event, request):
    url = event.get_full_url(request)
    settings_ = seo.site_settings(request)
    status, previous_start = event_status(event)
    organizer = seo.organization(request, settings_, with_context=False)
    if event.contact_email:
        organizer["email"] = event.contact_email
    if event.contact_phone:
        organizer["telephone"] = event.contact_phone
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": seo.trim(event.search_description or event.summary, 500),
        "url": url,
        "startDate": event.local_start.isoformat(),
        "endDate": event.local_end.isoformat(),
        "eventAttendanceMode": SCHEMA + ATTENDANCE_MODES.get(event.format, "OfflineEventAttendanceMode"),
        "eventStatus": SCHEMA + status,
        "location": location(event, url),
        "organizer": organizer,
        "isAccessibleForFree": True,
        "image": [seo.share_image(request, event, settings_)["url"]],
        "inLanguage": "en-GB",
    }
    if previous_start is not None:
        data["previousStartDate"] = previous_start.astimezone(event.zone).isoformat()
    offers = offer(event, url, event.registration_opens_at or event.first_published_at)
    if offers:
        data["offers"] = offers
    return data
