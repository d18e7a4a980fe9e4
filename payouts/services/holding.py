"""Holding claims and letting go of them before money moves: a payout lets go of a claim that was
declined or cancelled (asked by payments.services through `release_requested`), of claims no longer
approved when it is about to pay, and of all its claims when it is cancelled. Released items stay as
the record."""

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from payments import services as claims
from portal.locking import lock_one, race_point

from ..models import Payout, PayoutItem
from .common import (
    ZERO,
    ClaimStatus,
    PayoutBusy,
    PayoutError,
    Status,
    held_items,
    lock,
    record,
    require_coordinator,
)


def refresh_amounts(payout):
    totals = (
        PayoutItem.objects.held()
        .filter(payout=payout)
        .aggregate(fee=Sum("fee_amount"), exp=Sum("expenses_amount"))
    )
    payout.fee_amount = totals["fee"] or ZERO
    payout.expenses_amount = totals["exp"] or ZERO
    payout.amount = payout.fee_amount + payout.expenses_amount


def let_go(locked, items, actor, reason):
    """Lets go of `items` of an open payout (locked with its claims): the record stays, the amount is
    worked out again, and a payout left with nothing is cancelled."""
    now = timezone.now()
    for item in items:
        item.released_at = now
        item.release_reason = reason[:200]
        item.save(update_fields=["released_at", "release_reason"])
    previous, before = locked.status, locked.amount
    refresh_amounts(locked)
    if not PayoutItem.objects.held().filter(payout=locked).exists():
        locked.status = Status.CANCELLED
    locked.save(update_fields=["fee_amount", "expenses_amount", "amount", "status", "updated_at"])
    listed = ", ".join(str(i.claim_id) for i in items)
    record(locked, actor, previous, f"Let go of claim(s) {listed} ({reason}); £{before} → £{locked.amount}")


def drop_unpayable(locked, actor):
    """Before money moves: lets go of every held claim that is no longer approved. Returns the rest."""
    items = held_items(locked)
    gone = [i for i in items if i.claim.status != ClaimStatus.APPROVED]
    for item in gone:
        let_go(locked, [item], actor, f"claim {item.claim_id} is {item.claim.get_status_display().lower()}")
    return [i for i in items if i not in gone]


def tidy(payout, actor):
    """Lets go of held claims that are no longer approved, in a transaction of its own, so the record of
    it stays even when the action that follows finds nothing left to pay and is refused."""
    with transaction.atomic():
        locked = lock(payout)
        if locked.status in (Status.PENDING, Status.FAILED):
            drop_unpayable(locked, actor)


def require_something_to_pay(locked, actor):
    """Under the payout's lock: the claims it will pay, all approved at this moment."""
    items = drop_unpayable(locked, actor)
    race_point("payouts.claims_checked")
    if not items:
        raise PayoutError(
            "Nothing is left to pay in this payout: its claims were declined or cancelled, so it is cancelled."
        )
    return items


def on_release_requested(sender, claim, actor, reason, **kwargs):
    """Receiver for payments.signals.release_requested: an approved claim is being declined or cancelled.

    The caller has locked the claim; the payout is locked after it. A payout not yet sending lets go of
    the claim; one whose money is on its way to Stripe refuses, so the amount asked for cannot change."""
    item = PayoutItem.objects.held().filter(claim_id=claim.pk).first()
    if item is None:
        return
    locked = lock_one(Payout.objects.all(), pk=item.payout_id, timeout_error=PayoutBusy)
    if locked.status == Status.PROCESSING:
        raise claims.ClaimError(
            f"This claim is being paid right now (payout {locked.pk} is with Stripe), so it can no longer be "
            "changed. If you do not want the money, please tell a coordinator."
        )
    if locked.status not in (Status.PENDING, Status.FAILED):
        raise claims.ClaimError(f"Payout {locked.pk} is {locked.get_status_display().lower()}.")
    let_go(locked, [item], actor, reason)


def cancel_payout(payout, *, actor, reason):
    """pending/failed -> cancelled: lets go of every claim (they become payable again)."""
    require_coordinator(actor, "cancel payouts")
    reason = (reason or "").strip()
    if not reason:
        raise PayoutError("Say why the payout is cancelled.")
    with transaction.atomic():
        locked = lock(payout)
        if locked.status not in (Status.PENDING, Status.FAILED):
            raise PayoutError(
                f"This payout is {locked.get_status_display().lower()}, so it cannot be cancelled."
            )
        let_go(locked, held_items(locked), actor, f"payout cancelled: {reason}")
    return locked
