"""Involvement and fair pay: the payment policy (versioned by effective date), contributors' claims,
their expenses and the audit trail of every status change.

What must stay true:
- Money is Decimal (max_digits=12, decimal_places=2) end to end.
- A claim is paid at the policy version in force on the day the work was done.
- An approved claim keeps the amount, explanation and policy version it was approved with; nothing
  that happens to the policy later changes them, and a version used by an approved claim is read-only.
- Status changes only through payments.services, each one writing an audit entry (Wagtail's log).
- Money reaches a claim only through a payout that holds it (see payouts.models.PayoutItem).
"""

from .benefits import BenefitFigures
from .choices import (
    MAX_EXPENSE_AMOUNT,
    MAX_EXPENSES_PER_CLAIM,
    MAX_MILEAGE_RATE,
    MAX_MILES,
    MAX_RATE,
    MONEY,
    ZERO,
    ActivityType,
    ClaimStatus,
    EnteredFrom,
    ExpenseCategory,
    at_most,
)
from .claims import ClaimExpense, ClaimQuerySet, InvolvementClaim
from .contributors import ContributorProfile
from .involvements import Involvement
from .policy import ExpenseCap, PaymentPolicy, PaymentPolicyQuerySet, PolicyVersion, RateCard
from .storage import PrivateStorage, private_storage

__all__ = [
    "MAX_EXPENSE_AMOUNT",
    "MAX_EXPENSES_PER_CLAIM",
    "MAX_MILEAGE_RATE",
    "MAX_MILES",
    "MAX_RATE",
    "MONEY",
    "ZERO",
    "ActivityType",
    "BenefitFigures",
    "ClaimExpense",
    "ClaimQuerySet",
    "ClaimStatus",
    "ContributorProfile",
    "EnteredFrom",
    "ExpenseCap",
    "ExpenseCategory",
    "Involvement",
    "InvolvementClaim",
    "PaymentPolicy",
    "PaymentPolicyQuerySet",
    "PolicyVersion",
    "PrivateStorage",
    "RateCard",
    "at_most",
    "private_storage",
]
