"""When a contributor can expect their money, in one place (the dashboard, a claim's page, every
e-mail about a claim and the late-payment notices read it from here).

- Paid: the day it was paid.
- Approved and in a payment (a payout holds it) with a planned date: that date. The payouts app
  answers through the `claim_planned_payment_date` hook (payments never imports payouts).
- Approved otherwise: the approval date plus the policy version's pay-within period.
- Any other status: no date (nothing is owed yet, or nothing will be paid).

Late means the expected date has passed and the claim is still approved (not paid).

When a contributor can expect a decision on a submitted claim (`expected_decision`): the day it was
submitted plus `settings.PAYMENTS_DECIDE_WITHIN_DAYS` (default 10); late once that day has passed
and the claim is still waiting.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from wagtail import hooks

from .models import InvolvementClaim

Status = InvolvementClaim.Status


@dataclass(frozen=True)
class Expectation:
    date: datetime.date
    # "paid" (the actual date), "planned" (a payment's planned date), "policy" (approval + period)
    # or "decision" (when a submitted claim should be decided: submission + the decision period)
    basis: str
    late: bool
    payment_label: str = ""  # "Payment 4" when a payment holds the claim

    @property
    def days_late(self):
        return (timezone.localdate() - self.date).days if self.late else 0


def planned(claim):
    """(planned date, payment label) from the payment holding the claim, or (None, "")."""
    for fn in hooks.get_hooks("claim_planned_payment_date"):
        answer = fn(claim)
        if answer:
            return answer
    return None, ""


def expected_payment(claim, *, today=None):
    """The Expectation for `claim`, or None when no payment is expected."""
    today = today or timezone.localdate()
    if claim.status == Status.PAID and claim.paid_at:
        return Expectation(timezone.localdate(claim.paid_at), "paid", False)
    if claim.status != Status.APPROVED:
        return None
    day, label = planned(claim)
    if day is not None:
        return Expectation(day, "planned", today > day, label)
    pay_by = claim.pay_by()
    if pay_by is None:
        return None
    return Expectation(pay_by, "policy", today > pay_by, label)


def decide_within_days():
    return getattr(settings, "PAYMENTS_DECIDE_WITHIN_DAYS", 10)


def expected_decision(claim, *, today=None):
    """The Expectation of a decision on a submitted claim, or None for a claim in any other status."""
    if claim.status != Status.SUBMITTED or claim.submitted_at is None:
        return None
    today = today or timezone.localdate()
    day = timezone.localdate(claim.submitted_at) + datetime.timedelta(days=decide_within_days())
    return Expectation(day, "decision", today > day)


def expected_next(claim, *, today=None):
    """What the contributor waits for next: the payment's Expectation, else the decision's (or None)."""
    return expected_payment(claim, today=today) or expected_decision(claim, today=today)
