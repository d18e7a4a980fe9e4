"""Money that came back after a payout was paid: Stripe reversals (in full or in part) and returned bank
transfers or vouchers, and reopening the claims that money covers — never more than came back."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from payments import services as claims

from ..models import PayoutItem, PayoutReversal
from ..notifications import notify_coordinators
from .common import ZERO, Method, PayoutError, Status, held_items, lock, record, require_coordinator


def reversed_total(payout):
    return PayoutReversal.objects.filter(payout=payout).aggregate(total=Sum("amount"))["total"] or ZERO


def unallocated_reversal(payout):
    """Money back from this payout not yet set against a reopened claim."""
    allocated = PayoutItem.objects.filter(payout=payout).aggregate(total=Sum("reversed_amount"))["total"]
    return reversed_total(payout) - (allocated or ZERO)


def record_reversal(payout, *, amount, on=None, reference="", note="", actor=None):
    """paid/partly reversed -> partly reversed | reversed: `amount` of the payout's money came back.

    Never more than was paid in all. Reversed in full, every claim the payout still holds is reopened
    (approved again, so a later run pays it); in part, the claims stay paid until a coordinator reopens
    the ones the money covers (`reopen_claims`). A coordinator records bank transfers and vouchers that
    came back; Stripe's reversals arrive by webhook (`actor` None)."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if actor is not None:
        require_coordinator(actor, "record money that came back")
    if amount <= 0:
        raise PayoutError("Enter the amount that came back (more than £0.00).")
    with transaction.atomic():
        locked = lock(payout)
        if actor is not None and locked.method == Method.STRIPE:
            raise PayoutError("Stripe reversals are recorded from Stripe itself, not by hand.")
        if locked.status not in (Status.PAID, Status.PARTIALLY_REVERSED):
            raise PayoutError(
                f"This payout is {locked.get_status_display().lower()}, so no money can come back from it."
            )
        remaining = locked.amount - reversed_total(locked)
        if amount > remaining:
            raise PayoutError(f"Only £{remaining} of this payout has not come back already.")
        PayoutReversal.objects.create(
            payout=locked,
            amount=amount,
            reference=reference[:120],
            note=note[:300],
            actor=actor,
            on=on or timezone.localdate(),
        )
        previous = locked.status
        full = amount == remaining
        locked.status = Status.REVERSED if full else Status.PARTIALLY_REVERSED
        locked.save(update_fields=["status", "updated_at"])
        record(
            locked,
            actor,
            previous,
            f"£{amount} came back ({reference or 'no reference'}); £{remaining - amount} stays paid",
        )
        if full:
            reopen(locked, held_items(locked), actor, "the payout was reversed in full")
        transaction.on_commit(
            lambda: notify_coordinators(locked.pk, "reversed" if full else "partly reversed")
        )
    return locked


def reopen(locked, items, actor, why):
    now = timezone.now()
    for item in items:
        item.released_at = now
        item.release_reason = f"Reopened: {why}"[:200]
        item.reversed_amount = item.amount
        item.save(update_fields=["released_at", "release_reason", "reversed_amount"])
        claims.reopen(
            item.claim, payout=locked, actor=actor, note=f"Reopened: £{item.amount} came back ({why})"
        )


def reopen_claims(payout, *, claim_ids, actor):
    """Reopens claims of a partly reversed payout (they become approved and payable again), as long as
    the money back not yet set against a claim covers them: never more money's worth than came back."""
    require_coordinator(actor, "reopen claims")
    ids = {int(pk) for pk in claim_ids}
    if not ids:
        raise PayoutError("Choose the claims to reopen.")
    with transaction.atomic():
        locked = lock(payout)
        if locked.status not in (Status.PARTIALLY_REVERSED, Status.REVERSED):
            raise PayoutError("Only claims of a reversed payout can be reopened.")
        items = [i for i in held_items(locked) if i.claim_id in ids]
        if len(items) != len(ids):
            raise PayoutError("Some of those claims are not paid by this payout (or are reopened already).")
        wanted = sum((i.amount for i in items), ZERO)
        available = unallocated_reversal(locked)
        if wanted > available:
            raise PayoutError(
                f"Only £{available} came back and is not yet set against a claim; reopening these claims "
                f"would pay £{wanted} again."
            )
        reopen(locked, items, actor, f"money back from payout {locked.pk}")
        record(
            locked,
            actor,
            locked.status,
            f"Reopened claim(s) {', '.join(str(i.claim_id) for i in items)}: £{wanted}",
        )
    return locked
