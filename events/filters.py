import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone

from portal.filtersets import FixedFilterSet

from .choices import EventStatus, EventType, Format


class EventFilter(FixedFilterSet):
    """Upcoming events by default; `when=past` is the archive (most recent first)."""

    when = django_filters.ChoiceFilter(
        choices=[("upcoming", "Upcoming"), ("past", "Past events")],
        method="filter_when",
        empty_label=None,
        label="Show",
    )
    event_type = django_filters.ChoiceFilter(choices=EventType.choices, empty_label="Any type", label="Type")
    format = django_filters.ChoiceFilter(choices=Format.choices, empty_label="Any format", label="Format")
    date_from = django_filters.DateFilter(
        field_name="start",
        lookup_expr="date__gte",
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="start",
        lookup_expr="date__lte",
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    places_available = django_filters.BooleanFilter(
        method="filter_places_available",
        label="Only events with places left",
        widget=forms.CheckboxInput,
    )

    def query_pairs(self):
        """The query this filter applied, normalised: a (name, value) pair for each valid filter that is
        not at its default (upcoming events, any type, any format, any date, full events too), valued as
        the form sends it. Invalid values filter nothing (the form says why), so they are left out."""
        if not self.is_bound:
            return []
        self.errors  # noqa: B018 - validates the form, as `qs` does
        pairs = []
        for name, value in self.form.cleaned_data.items():
            if name == "when":
                value = value if value == "past" else None
            elif value is True:
                value = "on"  # what the checkbox sends
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            if value:
                pairs.append((name, str(value)))
        return pairs

    @property
    def showing_past(self):
        data = self.data or {}
        return data.get("when") == "past"

    @property
    def qs(self):
        queryset = super().qs
        now = timezone.now()
        if self.showing_past:
            return queryset.filter(end__lt=now).order_by("-start", "pk")
        return queryset.filter(end__gte=now).order_by("start", "pk")

    def filter_when(self, queryset, name, value):
        return queryset  # applied in `qs`, so it also holds when the form is unbound

    def filter_places_available(self, queryset, name, value):
        """Events with a seat free: no limit, or a capacity above the `confirmed_seats` column (kept
        by the services), compared in SQL; never a cancelled event."""
        if not value:
            return queryset
        return queryset.filter(Q(capacity__isnull=True) | Q(capacity__gt=F("confirmed_seats"))).exclude(
            status=EventStatus.CANCELLED
        )
