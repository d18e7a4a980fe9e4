"""Reports over claims, computed in the database (aggregation), in a fixed number of queries however
many claims there are.

Amounts counted are those approved (approved, paid, or declined-after-approval): the frozen amounts.
"""

import datetime
from decimal import Decimal

from django.db.models import CharField, Count, Max, Q, Sum
from django.db.models.functions import Cast, Substr

from .calculation import money
from .models import ActivityType, InvolvementClaim

Status = InvolvementClaim.Status
ZERO = Decimal("0.00")


MONEY_KEYS = ("fees", "expenses", "total", "paid", "earned", "waiting")


def pennies(rows):
    """Money sums to the penny. SQLite adds decimals as floating point (8.10000000000000), so every sum
    is quantized here; PostgreSQL's exact numeric sums are unchanged by it. None (no rows) becomes 0.00."""
    for row in rows:
        for key in MONEY_KEYS:
            if key in row:
                row[key] = money(row[key] if row[key] is not None else ZERO)
    return rows


def month_expression(field="work_date"):
    """ "YYYY-MM" of a date, as plain SQL on both SQLite and PostgreSQL (no per-row Python functions)."""
    return Substr(Cast(field, output_field=CharField()), 1, 7)


def approved_claims(queryset=None):
    queryset = InvolvementClaim.objects.all() if queryset is None else queryset
    return queryset.filter(status__in=Status.frozen())


def tax_year_bounds(start_year):
    return datetime.date(start_year, 4, 6), datetime.date(start_year + 1, 4, 5)


def parse_tax_year(value):
    """The first calendar year of a UK tax year, from text such as "2025"; None when it is not one.

    Only four plain digits from 1900 to 9998 (the last year whose tax year ends before 10000), so
    "²", "٢٠٢٥", "0" or a 26-digit number are refused rather than reaching the date arithmetic.
    """
    value = (value or "").strip()
    if len(value) != 4 or not value.isascii() or not value.isdigit():
        return None
    year = int(value)
    return year if 1900 <= year <= datetime.MAXYEAR - 1 else None


def totals_per_contributor_per_tax_year(queryset=None):
    """One query: a row per contributor and tax year with fees, expenses, totals and counts."""
    return pennies(
        list(
            approved_claims(queryset)
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
    pennies(rows)
    for row in rows:
        row["label"] = labels.get(row["activity_type"], row["activity_type"])
    return rows


def totals_per_month(queryset=None):
    rows = list(
        approved_claims(queryset)
        .annotate(month=month_expression())
        .values("month")
        .annotate(
            claims=Count("pk"),
            fees=Sum("fee_amount"),
            expenses=Sum("expenses_amount"),
            total=Sum("total_amount"),
        )
        .order_by("month")
    )
    pennies(rows)
    largest = max((row["total"] or ZERO for row in rows), default=ZERO)
    for row in rows:
        year, month = row["month"].split("-")[:2]
        row["month"] = datetime.date(int(year), int(month), 1)
        # Bar length as a whole percentage of the largest month, for the CSS chart.
        row["percent"] = int((row["total"] or ZERO) * 100 / largest) if largest else 0
    return rows


def _waiting_days(queryset, field):
    """Median and worst of a stored wait: a count, the one or two middle values (ordered by the
    database, fetched by offset) and the maximum. Three queries whatever the number of claims."""
    timed = queryset.filter(**{f"{field}__isnull": False})
    count = timed.count()
    if not count:
        return {"count": 0, "median": None, "worst": None}
    middle = list(timed.order_by(field).values_list(field, flat=True)[(count - 1) // 2 : count // 2 + 1])
    median = sum(middle, datetime.timedelta()) / len(middle)
    worst = timed.aggregate(worst=Max(field))["worst"]
    return {"count": count, "median": _days(median), "worst": _days(worst)}


def _days(value):
    return round(value.total_seconds() / 86400, 1)


def waiting_times(queryset=None):
    queryset = InvolvementClaim.objects.all() if queryset is None else queryset
    return {
        "submission_to_approval": _waiting_days(queryset.filter(status__in=Status.frozen()), "decision_wait"),
        "approval_to_payment": _waiting_days(queryset.filter(status=Status.PAID), "payment_wait"),
    }


def contributor_tax_years(user):
    """A contributor's own totals per tax year, by status group, in one query."""
    rows = (
        InvolvementClaim.objects.filter(contributor=user)
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
    for row in pennies(list(rows)):
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
