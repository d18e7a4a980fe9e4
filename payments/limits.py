"""Personal limits and promptness: what contributors watch (benefit and tax limits they set) and what
coordinators watch (approved claims not paid within the policy's pay-within period). Read-only."""

import datetime

from django.db.models import Q, Sum
from django.utils import timezone

from . import calculation, tax_year
from .models import ZERO, InvolvementClaim, PolicyVersion

Status = InvolvementClaim.Status


def earnings_between(contributor, start, end, *, exclude_pk=None):
    """Fees (not expenses, which are not earnings) claimed for work between two dates inclusive,
    counting submitted and approved claims and those paid; declined and rejected ones earn nothing."""
    return calculation.money(
        InvolvementClaim.objects.filter(
            contributor=contributor,
            work_date__gte=start,
            work_date__lte=end,
            status__in=[Status.SUBMITTED, Status.APPROVED, Status.PAID],
        )
        .exclude(pk=exclude_pk)
        .aggregate(total=Sum("fee_amount"))["total"]
        or ZERO
    )


def limit_warnings(claim):
    """Messages for each personal limit (week, month, tax year) this claim would take the contributor past."""
    profile = getattr(claim.contributor, "contributor_profile", None)
    if profile is None:
        return []
    day = claim.work_date
    week_start = day - datetime.timedelta(days=day.weekday())
    month_start = day.replace(day=1)
    next_month = (month_start + datetime.timedelta(days=32)).replace(day=1)
    periods = [
        ("week", profile.weekly_limit, week_start, week_start + datetime.timedelta(days=6)),
        ("month", profile.monthly_limit, month_start, next_month - datetime.timedelta(days=1)),
        ("tax year", profile.tax_year_limit, *tax_year.bounds_of(day)),
    ]
    warnings = []
    for name, limit, start, end in periods:
        if limit is None:
            continue
        before = earnings_between(claim.contributor, start, end, exclude_pk=claim.pk)
        after = before + claim.fee_amount
        if after > limit:
            warnings.append(
                f"With this claim your fees for the {name} from {start:%d %b %Y} to {end:%d %b %Y} would be "
                f"{calculation.pounds(after)}, more than the limit of {calculation.pounds(limit)} you set. "
                "You can still submit it, lower the amount, or talk to a welfare-rights adviser."
            )
    return warnings


def overdue_claims(now=None):
    """Approved claims not paid within the pay-within period of the version they were approved under."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for pk, days in PolicyVersion.objects.values_list("pk", "pay_within_days"):
        condition |= Q(policy_version_id=pk, decided_at__lt=now - datetime.timedelta(days=days))
    return (
        InvolvementClaim.objects.filter(condition, status=Status.APPROVED)
        .select_related("contributor", "policy_version")
        .order_by("decided_at")
    )
