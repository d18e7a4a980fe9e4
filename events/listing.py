"""The events index's listing, read from one list of rows per content generation.

Every visitor of the events index asks the same question of the same thousand events: which are
upcoming (or past), of a type, a format, between two dates, with places left. The SQL answer
(`EventFilter.qs`, the definition) counts each event's confirmed seats with a subquery, twice (for the
count and for the page). Here the rows the filters read (dates, type, format, capacity, status and
confirmed seats) are read once in one query and kept, in the shared cache and in this process, until
the *content* generation next rises, which every registration, cancellation and page change raises:
the seat counts are never older than the last write. Filtering, counting and ordering them is then
plain Python, identical to `EventFilter` (tests/events/test_listing.py compares both on random data
and queries); the time ("upcoming") is applied per request, so rows never go stale with the clock.
"""

from datetime import datetime
from typing import NamedTuple

from django.utils import timezone

from portal.pagecache import cached_value

from .choices import EventStatus


class EventRow(NamedTuple):
    pk: int
    start: datetime
    end: datetime
    event_type: str
    format: str
    capacity: int | None
    status: str
    confirmed_seats: int


FIELDS = EventRow._fields


def event_rows(index):
    """The live, public events under `index`, as rows in start order, kept until the next write."""

    def read():
        return [EventRow(*values) for values in index.events().order_by("start", "pk").values_list(*FIELDS)]

    return cached_value(f"events:rows:{index.pk}", read, local=True)


def has_places(row):
    return row.status != EventStatus.CANCELLED and (
        row.capacity is None or row.capacity > row.confirmed_seats
    )


def matching_rows(rows, event_filter, now=None):
    """The rows `event_filter` (a bound or unbound `EventFilter`) selects, in its order.

    As django-filter does, only the fields that are valid filter: a wrong date or type is left out
    (and the form says why), never an error page.
    """
    now = now or timezone.now()
    showing_past = event_filter.showing_past
    selected = [row for row in rows if (row.end < now if showing_past else row.end >= now)]
    cleaned = {}
    if event_filter.is_bound:
        event_filter.errors  # noqa: B018 - validates the form, as FilterSet.qs does
        cleaned = event_filter.form.cleaned_data
    if cleaned.get("event_type"):
        selected = [row for row in selected if row.event_type == cleaned["event_type"]]
    if cleaned.get("format"):
        selected = [row for row in selected if row.format == cleaned["format"]]
    date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
    if date_from or date_to:

        def in_range(row):
            day = timezone.localtime(row.start).date()  # as the SQL `start__date`: the site's date
            return (not date_from or day >= date_from) and (not date_to or day <= date_to)

        selected = [row for row in selected if in_range(row)]
    if cleaned.get("places_available"):
        selected = [row for row in selected if has_places(row)]
    if showing_past:
        # Newest first, ties by id (as `order_by("-start", "pk")`).
        selected.sort(key=lambda row: row.pk)
        selected.sort(key=lambda row: row.start, reverse=True)
    return selected
