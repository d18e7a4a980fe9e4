import django_filters
from django.contrib.auth import get_user_model
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from .models import ActivityType, InvolvementClaim


def contributors(request):
    return (
        get_user_model()
        .objects.filter(involvement_claims__isnull=False)
        .distinct()
        .order_by("last_name", "first_name")
    )


class ClaimFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=InvolvementClaim.Status.choices, label="Status")
    contributor = django_filters.ModelChoiceFilter(queryset=contributors, label="Contributor")
    activity_type = django_filters.ChoiceFilter(choices=ActivityType.choices, label="Activity")
    project = django_filters.CharFilter(lookup_expr="icontains", label="Project or event contains")
    work_date = django_filters.DateFromToRangeFilter(label="Date of the work", widget=DateRangePickerWidget)

    class Meta:
        model = InvolvementClaim
        fields = ["status", "contributor", "activity_type", "project", "work_date"]


class QueueFilterSet(ClaimFilterSet):
    """The queue holds only submitted claims, so it offers no status to filter by."""

    status = None

    class Meta(ClaimFilterSet.Meta):
        fields = ["contributor", "activity_type", "project", "work_date"]
