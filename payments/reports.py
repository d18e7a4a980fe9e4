"""Reports over claims, computed in the database (aggregation), in a fixed number of queries however
many claims there are.

Amounts counted are those approved (approved, paid, or declined-after-approval): the frozen amounts.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import CharField, Count, Max, Q, Sum
from django.db.models.functions import Cast, Substr

from . import tax_year
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


def money_paid(contributor_ids=None):
    """Money actually paid, net of money that came back: {(tax_year, contributor id): Decimal}, by the
    day it was paid (and the day it came back). The apps that pay claims answer through the
    `involvement_money_paid` hook (a function taking `contributor_ids`, None for everyone), so this app
    never depends on them."""
    from wagtail import hooks

    paid = {}
    for provider in hooks.get_hooks("involvement_money_paid"):
        for key, amount in provider(contributor_ids).items():
            paid[key] = paid.get(key, ZERO) + amount
    return {key: money(amount) for key, amount in paid.items()}


def totals_per_contributor_per_tax_year(queryset=None):
    """A row per contributor and tax year: claims approved for work done in it (fees, expenses, totals,
    counts; one query) and the money paid in it, net of reversals (one query per paying app, plus one
    for the names of anyone paid in a year they claimed nothing for)."""
    rows = pennies(
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
            )
        )
    )
    ids = None if queryset is None else {row["contributor_id"] for row in rows}
    paid = money_paid(ids)
    seen = set()
    for row in rows:
        key = (row["tax_year"], row["contributor_id"])
        row["paid"] = paid.get(key, ZERO)
        seen.add(key)
    missing = [key for key in paid if key not in seen]
    if missing:
        people = get_user_model().objects.in_bulk({user_id for _year, user_id in missing})
        for year, user_id in missing:
            person = people[user_id]
            rows.append(
                {
                    "tax_year": year,
                    "contributor_id": user_id,
                    "contributor__email": person.email,
                    "contributor__first_name": person.first_name,
                    "contributor__last_name": person.last_name,
                    "claims": 0,
                    "fees": ZERO,
                    "expenses": ZERO,
                    "total": ZERO,
                    "paid": paid[(year, user_id)],
                }
            )
    rows.sort(
        key=lambda r: (
            -r["tax_year"],
            r["contributor__last_name"],
            r["contributor__first_name"],
            r["contributor_id"],
        )
    )
    return rows


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
    """A contributor's own totals per tax year: earned and expenses approved for work done in it, what is
    waiting for a decision, and the money paid to them in it (net of reversals)."""
    rows = (
        InvolvementClaim.objects.filter(contributor=user)
        .values("tax_year")
        .annotate(
            earned=Sum("fee_amount", filter=Q(status__in=[Status.APPROVED, Status.PAID])),
            expenses=Sum("expenses_amount", filter=Q(status__in=[Status.APPROVED, Status.PAID])),
            waiting=Sum("total_amount", filter=Q(status=Status.SUBMITTED)),
            claims=Count("pk"),
        )
    )
    by_year = {row["tax_year"]: row for row in pennies(list(rows))}
    paid = {year: amount for (year, _user), amount in money_paid({user.pk}).items()}
    result = []
    for year in sorted(set(by_year) | set(paid), reverse=True):
        row = by_year.get(year, {"tax_year": year, "claims": 0})
        start, end = tax_year.bounds(year)
        result.append(
            {
                **{k: (v if v is not None else ZERO) for k, v in row.items()},
                "earned": row.get("earned") or ZERO,
                "expenses": row.get("expenses") or ZERO,
                "waiting": row.get("waiting") or ZERO,
                "paid": paid.get(year, ZERO),
                "label": tax_year.label(year),
                "start": start,
                "end": end,
            }
        )
    return result


def _hours(minutes):
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.1"))


def _role_totals(queryset, fields, **counts):
    """Approved claims made in a role, grouped by tax year and `fields`: claims, hours (time given plus
    preparation) and money, plus any `counts`. One query."""
    rows = pennies(
        list(
            approved_claims(queryset)
            .filter(involvement__isnull=False)
            .values("tax_year", *fields)
            .annotate(
                **counts,
                claims=Count("pk"),
                minutes=Sum("duration_minutes"),
                preparation=Sum("preparation_minutes"),
                fees=Sum("fee_amount"),
                expenses=Sum("expenses_amount"),
                total=Sum("total_amount"),
            )
            .order_by("-tax_year", *fields[:2])
        )
    )
    for row in rows:
        row["hours"] = _hours((row["minutes"] or 0) + (row["preparation"] or 0))
        row["label"] = tax_year.label(row["tax_year"])
    return rows


def totals_per_involvement_per_tax_year(queryset=None):
    """A row per role (involvement) and tax year, with the person and the opportunity it came from."""
    fields = [
        "involvement__title",
        "involvement_id",
        "involvement__opportunity__title",
        "contributor__email",
        "contributor__first_name",
        "contributor__last_name",
    ]
    return _role_totals(queryset, fields)


def totals_per_opportunity_per_tax_year(queryset=None):
    """A row per opportunity (the page a role came from) and tax year, with how many people worked in it.
    Roles that came from no opportunity make one row with no title."""
    fields = ["involvement__opportunity__title", "involvement__opportunity_id"]
    return _role_totals(queryset, fields, people=Count("contributor", distinct=True))


def full_report(queryset=None):
    return {
        "per_involvement": totals_per_involvement_per_tax_year(queryset),
        "per_opportunity": totals_per_opportunity_per_tax_year(queryset),
        "per_contributor": totals_per_contributor_per_tax_year(queryset),
        "per_activity": totals_per_activity(queryset),
        "per_month": totals_per_month(queryset),
        "waiting": waiting_times(queryset),
    }
