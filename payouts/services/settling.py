"""Paying a payout's claims: recorded bank transfers and vouchers, closing declined or donated payouts,
and marking the claims of a paid payout paid (through payments.services)."""

from django.db import transaction
from django.utils import timezone

from payments import services as claims

from ..notifications import notify_paid
from .common import Method, PayoutError, Status, held_items, lock, record, require_coordinator
from .holding import require_something_to_pay, tidy


def mark_paid(locked, actor, note, **fields):
    previous = locked.status
    locked.status = Status.PAID
    locked.failure_reason = ""
    for key, value in fields.items():
        setattr(locked, key, value)
    locked.paid_on = locked.paid_on or timezone.localdate()
    locked.save()
    reference = locked.stripe_transfer_id or locked.reference or f"payout {locked.pk}"
    for item in held_items(locked):
        claims.mark_paid(item.claim, payout=locked, actor=actor, reference=reference)
    record(locked, actor, previous, note)
    transaction.on_commit(lambda: notify_paid(locked.pk))


def record_manual_payment(payout, *, actor, paid_on, reference, method=None, voucher_provider=""):
    """pending/failed -> paid for a bank transfer or voucher made outside the portal.

    Pays only the claims still approved (any other is let go of first). A failed Stripe payout may be paid
    this way instead (method switches); a processing one may not, as Stripe may still have made the
    transfer: reconcile it first.
    """
    require_coordinator(actor, "record payments")
    reference = (reference or "").strip()
    if not reference:
        raise PayoutError("Enter the bank or voucher reference, so the payment can be traced.")
    if paid_on is None or paid_on > timezone.localdate():
        raise PayoutError("Enter the date the payment was made (not in the future).")
    tidy(payout, actor)
    with transaction.atomic():
        locked = lock(payout)
        if locked.contributor_id == actor.pk:
            raise PayoutError("You cannot record a payment to yourself. Please ask another coordinator.")
        method = method or locked.method
        if method not in (Method.BANK_TRANSFER, Method.VOUCHER):
            raise PayoutError("Only a bank transfer or a voucher can be recorded by hand.")
        if locked.status not in (Status.PENDING, Status.FAILED):
            raise PayoutError(
                f"This payout is {locked.get_status_display().lower()}, so it cannot be recorded as paid."
            )
        require_something_to_pay(locked, actor)
        label = Method(method).label
        mark_paid(
            locked,
            actor,
            f"{label} recorded: £{locked.amount}, {reference} on {paid_on:%d %b %Y}",
            method=method,
            reference=reference[:120],
            paid_on=paid_on,
            voucher_provider=voucher_provider[:120] if method == Method.VOUCHER else "",
        )
    return locked


def close_without_payment(payout, *, actor):
    """pending -> closed for a contributor who declined payment or donated it: claims become declined.

    Counted separately from earnings: no money moves and the payout amount is not paid.
    """
    require_coordinator(actor, "close payouts")
    tidy(payout, actor)
    with transaction.atomic():
        locked = lock(payout)
        if locked.method not in Method.without_money():
            raise PayoutError("Only a declined or donated payout can be closed without payment.")
        if locked.status != Status.PENDING:
            raise PayoutError(
                f"This payout is {locked.get_status_display().lower()}, so it cannot be closed."
            )
        require_something_to_pay(locked, actor)
        note = (
            f"Donated to {locked.charity_name}"
            if locked.method == Method.DONATED and locked.charity_name
            else locked.get_method_display()
        )
        locked.status = Status.CLOSED
        locked.save(update_fields=["status", "updated_at"])
        for item in held_items(locked):
            claims.mark_declined(item.claim, actor=actor, payout=locked, note=note)
        record(locked, actor, Status.PENDING, note)
    return locked
