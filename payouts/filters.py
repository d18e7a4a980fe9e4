"""Filters for the payouts admin: approved claims waiting to be paid (the payment run) and payouts."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from wagtail.admin.filters import WagtailFilterSet

from payments.models import ActivityType, InvolvementClaim

from .models import PaymentRun, Payout


def _waiting_contributors(request):
    return (
        get_user_model()
        .objects.filter(involvement_claims__status=InvolvementClaim.Status.APPROVED)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def _date(label, lookup):
    return django_filters.DateFilter(
        field_name="decided_at",
        lookup_expr=lookup,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class PayableClaimFilter(django_filters.FilterSet):
    contributor = django_filters.ModelChoiceFilter(queryset=_waiting_contributors, label="Contributor")
    activity_type = django_filters.ChoiceFilter(choices=ActivityType.choices, label="Activity")
    project = django_filters.CharFilter(lookup_expr="icontains", label="Project or event contains")
    approved_from = _date("Approved on or after", "date__gte")
    approved_to = _date("Approved on or before", "date__lte")

    class Meta:
        model = InvolvementClaim
        fields = ["contributor", "activity_type", "project"]


class PayoutFilterSet(WagtailFilterSet):
    run = django_filters.ModelChoiceFilter(queryset=PaymentRun.objects.order_by("-pk"), label="Payment run")

    class Meta:
        model = Payout
        fields = ["status", "method", "run"]
