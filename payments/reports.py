"""Reports over claims, computed in the database (aggregation), in a fixed number of queries however
many claims there are.

Amounts counted are those approved (approved, paid, or declined-after-approval): the frozen amounts.
"""

import datetime
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractYear, TruncMonth

from .models import ActivityType, InvolvementClaim

Status = InvolvementClaim.Status
ZERO = Decimal("0.00")


def tax_year_expression(field="work_date"):
    """The first calendar year of the UK tax year (6 April to 5 April) that `field` falls in."""
    year = ExtractYear(field)
    before_6_april = Q(**{f"{field}__month__lt": 4}) | Q(**{f"{field}__month": 4, f"{field}__day__lt": 6})
    return Case(
        When(before_6_april, then=year - Value(1)),
        default=year,
        output_field=IntegerField(),
    )


def approved_claims(queryset=None):
    queryset = InvolvementClaim.objects.all() if queryset is None else queryset
    return queryset.filter(status__in=Status.frozen())


def tax_year_bounds(start_year):
    return datetime.date(start_year, 4, 6), datetime.date(start_year + 1, 4, 5)


def totals_per_contributor_per_tax_year(queryset=None):
    """One query: a row per contributor and tax year with fees, expenses, totals and counts."""
    return list(
        approved_claims(queryset)
        .annotate(tax_year=tax_year_expression())
        .values(
            "tax_year",
            "contributor_id",
            "contributor__email",
            "contributor__first_name",
            "contributor__last_name",
        )
        .annotate(
            claims=Count("pk"),
            fees=Sum("fee_amount"),
            expenses=Sum("expenses_amount"),
            total=Sum("total_amount"),
            paid=Sum("total_amount", filter=Q(status=Status.PAID)),
        )
        .order_by("-tax_year", "contributor__last_name", "contributor__first_name", "contributor_id")
    )


def totals_per_activity(queryset=None):
    labels = dict(ActivityType.choices)
    rows = list(
        approved_claims(queryset)
        .values("activity_type")
        .annotate(
            claims=Count("pk"),
            minutes=Sum("duration_minutes"),
            fees=Sum("fee_amount"),
            expenses=Sum("expenses_amount"),
            total=Sum("total_amount"),
        )
        .order_by("activity_type")
    )
    for row in rows:
        row["label"] = labels.get(row["activity_type"], row["activity_type"])
    return rows


def totals_per_month(queryset=None):
    rows = list(
        approved_claims(queryset)
        .annotate(month=TruncMonth("work_date"))
        .values("month")
        .annotate(
            claims=Count("pk"),
            fees=Sum("fee_amount"),
            expenses=Sum("expenses_amount"),
            total=Sum("total_amount"),
        )
        .order_by("month")
    )
    largest = max((row["total"] or ZERO for row in rows), default=ZERO)
    for row in rows:
        # Bar length as a whole percentage of the largest month, for the CSS chart.
        row["percent"] = int((row["total"] or ZERO) * 100 / largest) if largest else 0
    return rows


def _waiting_days(queryset, start, end):
    """Median and worst number of days from `start` to `end`: a count, the two middle values and the
    maximum, each computed by the database (three queries whatever the number of claims)."""
    delta = ExpressionWrapper(F(end) - F(start), output_field=DurationField())
    timed = queryset.filter(**{f"{start}__isnull": False, f"{end}__isnull": False}).annotate(wait=delta)
    count = timed.count()
    if not count:
        return {"count": 0, "median": None, "worst": None}
    middle = list(timed.order_by("wait").values_list("wait", flat=True)[(count - 1) // 2 : count // 2 + 1])
    median = sum(middle, datetime.timedelta()) / len(middle)
    worst = timed.aggregate(worst=Max("wait"))["worst"]
    return {"count": count, "median": _days(median), "worst": _days(worst)}


def _days(value):
    return round(value.total_seconds() / 86400, 1)


def waiting_times(queryset=None):
    queryset = InvolvementClaim.objects.all() if queryset is None else queryset
    return {
        "submission_to_approval": _waiting_days(
            queryset.filter(status__in=Status.frozen()), "submitted_at", "decided_at"
        ),
        "approval_to_payment": _waiting_days(queryset.filter(status=Status.PAID), "decided_at", "paid_at"),
    }


def contributor_tax_years(user):
    """A contributor's own totals per tax year, by status group, in one query."""
    rows = (
        InvolvementClaim.objects.filter(contributor=user)
        .annotate(tax_year=tax_year_expression())
        .values("tax_year")
        .annotate(
            earned=Sum("fee_amount", filter=Q(status__in=[Status.APPROVED, Status.PAID])),
            expenses=Sum("expenses_amount", filter=Q(status__in=[Status.APPROVED, Status.PAID])),
            paid=Sum("total_amount", filter=Q(status=Status.PAID)),
            waiting=Sum("total_amount", filter=Q(status=Status.SUBMITTED)),
            claims=Count("pk"),
        )
        .order_by("-tax_year")
    )
    result = []
    for row in rows:
        start, end = tax_year_bounds(row["tax_year"])
        result.append(
            {
                **{k: (v if v is not None else ZERO) for k, v in row.items()},
                "label": f"{row['tax_year']}/{str(row['tax_year'] + 1)[-2:]}",
                "start": start,
                "end": end,
            }
        )
    return result


def full_report(queryset=None):
    return {
        "per_contributor": totals_per_contributor_per_tax_year(queryset),
        "per_activity": totals_per_activity(queryset),
        "per_month": totals_per_month(queryset),
        "waiting": waiting_times(queryset),
    }
