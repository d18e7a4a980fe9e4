"""Expenses of a draft or submitted claim: added (with a receipt kept in private storage) or removed, the
claim's amount worked out again each time. They change no status; they lock the claim and write its audit
trail through payments.services like every change of a claim."""

from django.db import transaction

from . import claim_rules, services
from .models import (
    MAX_EXPENSE_AMOUNT,
    MAX_EXPENSES_PER_CLAIM,
    MAX_MILES,
    ZERO,
    ClaimExpense,
    InvolvementClaim,
)

Status = InvolvementClaim.Status
AMOUNT_FIELDS = services.AMOUNT_FIELDS


def receipt_limit(claim):
    """The amount above which the claim's policy version asks for a receipt (None: no version yet)."""
    version = claim.policy_version
    return version.receipt_required_above if version is not None else None


def missing_receipt_message(limit):
    return (
        f"The payment policy asks for a receipt for expenses over £{limit}. Add the receipt, or tell us "
        "why there is none (for example, a taxi driver who gave no receipt): a coordinator will read it."
    )


def add_expense(claim, *, actor, data):
    """Adds an expense (category, amount, miles, description, receipt) to a draft or submitted claim.

    Above the policy's receipt limit an expense needs a receipt or a reason why there is none
    (`no_receipt_reason`): never a silent pass.

    Refused (ClaimError): amounts or miles above the bounds in payments.models, or more than
    MAX_EXPENSES_PER_CLAIM expenses, so the claim's total always fits its column. The receipt is
    written to private storage inside the transaction; when the transaction fails, the file is
    deleted again, so no receipt is ever left behind without its expense.
    """
    expense = ClaimExpense(
        category=data.get("category"),
        description=data.get("description", ""),
        amount=data.get("amount") or ZERO,
        miles=data.get("miles"),
        receipt=data.get("receipt") or "",
        no_receipt_reason=(data.get("no_receipt_reason") or "").strip()[:2000],
    )
    try:
        with transaction.atomic():
            locked = services.lock_claim(claim)
            services.require_owner(locked, actor, "change")
            services.require_status(locked, [Status.DRAFT, Status.SUBMITTED], "changed")
            if data.get("category") == "mileage" and not data.get("miles"):
                raise services.ClaimError("Give the number of miles for a mileage expense.")
            if data.get("category") != "mileage" and not data.get("amount"):
                raise services.ClaimError("Give the amount you spent.")
            if expense.amount > MAX_EXPENSE_AMOUNT:
                raise services.ClaimError(f"One expense can be at most £{MAX_EXPENSE_AMOUNT:,}.")
            if (expense.miles or ZERO) > MAX_MILES:
                raise services.ClaimError(f"One mileage expense can be at most {MAX_MILES:,} miles.")
            limit = receipt_limit(locked)
            if (
                limit is not None
                and expense.category != "mileage"
                and expense.amount > limit
                and not expense.receipt
                and not expense.no_receipt_reason
            ):
                raise services.ClaimError(missing_receipt_message(limit))
            if locked.expenses.count() >= MAX_EXPENSES_PER_CLAIM:
                raise services.ClaimError(
                    f"A claim can have at most {MAX_EXPENSES_PER_CLAIM} expenses. Please start a new claim."
                )
            expense.claim = locked
            expense.save()  # writes the receipt file, then the row
            claim_rules.recalculate(locked)
            locked.save(update_fields=[*AMOUNT_FIELDS, "updated_at"])
            services.record(locked, actor, locked.status, f"Expense added: {expense}")
    except BaseException:
        # The row is gone with the transaction; a receipt already written must go too.
        if expense.receipt and expense.receipt._committed:
            expense.receipt.delete(save=False)
        raise
    services.sync(claim, locked)
    return expense


def remove_expense(expense, *, actor):
    claim = expense.claim
    with transaction.atomic():
        locked = services.lock_claim(claim)
        services.require_owner(locked, actor, "change")
        services.require_status(locked, [Status.DRAFT, Status.SUBMITTED], "changed")
        text = str(expense)
        if expense.receipt:
            expense.receipt.delete(save=False)
        expense.delete()
        claim_rules.recalculate(locked)
        locked.save(update_fields=[*AMOUNT_FIELDS, "updated_at"])
        services.record(locked, actor, locked.status, f"Expense removed: {text}")
    return services.sync(claim, locked)
