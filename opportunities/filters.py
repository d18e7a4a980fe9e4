from datetime import timedelta

import django_filters
from django import forms
from django.utils import timezone

from portal.filtersets import FixedFilterSet

from .choices import Format, RoleKind, Topic, closing_soon_days


class OpportunityFilter(FixedFilterSet):
    """Open opportunities by default (closing first); `show=closed` lists the closed ones, newest first."""

    show = django_filters.ChoiceFilter(
        choices=[("open", "Open for applications"), ("closed", "Closed")],
        method="filter_show",
        empty_label=None,
        label="Show",
    )
    role_kind = django_filters.ChoiceFilter(
        choices=RoleKind.choices, empty_label="Any kind of role", label="Kind of role"
    )
    topic = django_filters.ChoiceFilter(choices=Topic.choices, empty_label="Any topic", label="Topic")
    format = django_filters.ChoiceFilter(
        choices=Format.choices, empty_label="Online or in person", label="Where"
    )
    paid = django_filters.ChoiceFilter(
        choices=[("paid", "Paid"), ("voluntary", "Voluntary")],
        method="filter_paid",
        empty_label="Paid or voluntary",
        label="Payment",
    )
    closing_soon = django_filters.BooleanFilter(
        method="filter_closing_soon", label="Only those closing soon", widget=forms.CheckboxInput
    )

    @property
    def showing_closed(self):
        return (self.data or {}).get("show") == "closed"

    @property
    def qs(self):
        queryset = super().qs
        today = timezone.localdate()
        if self.showing_closed:
            return queryset.filter(closing_date__lt=today).order_by("-closing_date", "pk")
        return queryset.filter(closing_date__gte=today).order_by("closing_date", "pk")

    def filter_show(self, queryset, name, value):
        return queryset  # applied in `qs`, so it also holds when the form is unbound

    def filter_paid(self, queryset, name, value):
        return queryset.filter(is_paid=(value == "paid"))

    def filter_closing_soon(self, queryset, name, value):
        if not value:
            return queryset
        today = timezone.localdate()
        return queryset.filter(
            closing_date__gte=today, closing_date__lte=today + timedelta(days=closing_soon_days())
        )
