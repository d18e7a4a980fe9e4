"""Money actually paid to contributors, per UK tax year, net of money that came back.

Counted by the day money moved: a payout by the day it was paid (bank transfers, vouchers and Stripe;
declined and donated payouts move no money), a reversal by the day the money came back. Two queries
however many payouts there are.
"""

from decimal import Decimal

from django.db.models import Sum

from payments import tax_year

from .models import Payout, PayoutReversal

ZERO = Decimal("0.00")


def money_paid_by_tax_year(contributor_ids=None):
    """{(tax_year, contributor id): Decimal} of money paid less money back."""
    payouts = Payout.objects.filter(status__in=Payout.Status.money_moved(), paid_on__isnull=False)
    reversals = PayoutReversal.objects.all()
    if contributor_ids is not None:
        payouts = payouts.filter(contributor_id__in=contributor_ids)
        reversals = reversals.filter(payout__contributor_id__in=contributor_ids)
    totals = {}
    rows = (
        payouts.annotate(year=tax_year.expression("paid_on"))
        .values("year", "contributor_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        key = (row["year"], row["contributor_id"])
        totals[key] = totals.get(key, ZERO) + row["total"]
    rows = (
        reversals.annotate(year=tax_year.expression("on"))
        .values("year", "payout__contributor_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        key = (row["year"], row["payout__contributor_id"])
        totals[key] = totals.get(key, ZERO) - row["total"]
    return totals
