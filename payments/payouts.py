"""Payout services: payment runs, paying a claim by hand, Stripe transfers, recorded manual payments,
reversals and Stripe webhooks.

Invariants (each function's docstring says which it relies on):
- A claim is held by at most one payout at a time: runs lock the claims, then re-read which are already
  held, and a partial unique constraint on PayoutItem backs that up in the database.
- Claims change status only through payments.services; this module calls its transitions, and lets go of
  a claim when services ask (`on_release_requested`).
- A payout pays only claims that are approved when it is sent or recorded (re-checked under lock); any
  other it still holds is let go of, with an audit entry, and its amount worked out again.
- Locks: the payout's claims first (by primary key), then the payout, the same order as services.
- A Stripe transfer is created only from `processing`, with the payout's deterministic idempotency key, and
  outside any database transaction (a slow Stripe never holds a lock); what Stripe answered is written
  afterwards under a fresh lock. A crash in between leaves the payout `processing`, which
  `reconcile_payouts` settles by looking the transfer up, or by repeating the same idempotent request.
  While processing, a payout never lets go of a claim, so the amount Stripe was asked for cannot change.
- Reversals carry amounts: money back is recorded as it comes (never more than was paid); a payout
  reversed in full reopens its claims, one reversed in part reopens only the claims a coordinator picks,
  and never more money's worth of claims than came back.
- Webhook events are applied once (their ids are stored) and in any order.
"""

import datetime
import logging
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import COORDINATORS
from portal.locking import lock_one, lock_rows, race_point
from portal.mail import queue_email, render_email

from . import services, stripe_gateway
from .models import ContributorProfile, InvolvementClaim
from .payout_models import (
    PaymentRun,
    Payout,
    PayoutEvent,
    PayoutItem,
    PayoutReversal,
    StripeAccount,
    StripeWebhookEvent,
)

log = logging.getLogger(__name__)
ZERO = Decimal("0.00")
ClaimStatus = InvolvementClaim.Status
Method = Payout.Method
Status = Payout.Status


class PayoutError(Exception):
    """A payout action that is not allowed; the message is shown to the person."""


class PayoutBusy(PayoutError):
    """Someone else is changing the same payout or its claims right now."""


def _require_coordinator(actor, doing):
    if actor is None or not actor.is_coordinator:
        raise PayoutError(f"Only a coordinator can {doing}.")


def _record(payout, actor, from_status, note=""):
    PayoutEvent.objects.create(
        payout=payout, actor=actor, from_status=from_status, to_status=payout.status, note=note
    )


def _lock(payout):
    """Locks the claims the payout holds (by primary key), then the payout: the order services use.

    Items are only ever let go of, never added to an existing payout, so the claims read before the
    locks are a superset of those held once the locks are granted."""
    claim_ids = list(PayoutItem.objects.held().filter(payout_id=payout.pk).values_list("claim_id", flat=True))
    lock_rows(InvolvementClaim.objects.filter(pk__in=claim_ids).order_by("pk"), timeout_error=PayoutBusy)
    return lock_one(Payout.objects.all(), pk=payout.pk, timeout_error=PayoutBusy)


def held_items(payout):
    return list(PayoutItem.objects.held().filter(payout=payout).select_related("claim").order_by("pk"))


# ---------------------------------------------------------------------------------------------
# Payment runs


def payable_claims():
    """Approved claims that no payout holds."""
    held = PayoutItem.objects.held().filter(claim=OuterRef("pk"))
    return InvolvementClaim.objects.filter(status=ClaimStatus.APPROVED).exclude(Exists(held))


def method_for(user, profile=None, stripe_account=None):
    """How a contributor will be paid, from their stated preference.

    Stripe only when Stripe is configured and their connected account can receive payouts; otherwise a
    recorded bank transfer, which the coordinator arranges outside the portal.
    """
    preference = profile.payment_preference if profile else ContributorProfile.PaymentPreference.BANK_TRANSFER
    Pref = ContributorProfile.PaymentPreference
    if preference == Pref.DECLINE:
        return Method.DECLINED
    if preference == Pref.CHARITY:
        return Method.DONATED
    if preference == Pref.VOUCHER:
        return Method.VOUCHER
    if (
        preference == Pref.STRIPE
        and stripe_gateway.is_configured()
        and stripe_account
        and stripe_account.payouts_enabled
    ):
        return Method.STRIPE
    return Method.BANK_TRANSFER


def _plan(claims, actor):
    """Groups claims by contributor, with the method and amounts each payout would have."""
    claims = list(claims)
    users = {c.contributor_id for c in claims}
    profiles = {p.user_id: p for p in ContributorProfile.objects.filter(user_id__in=users)}
    accounts = {a.user_id: a for a in StripeAccount.objects.filter(user_id__in=users)}
    grouped = defaultdict(list)
    skipped = []
    for claim in claims:
        if actor is not None and claim.contributor_id == actor.pk:
            skipped.append((claim, "Your own claims are paid by another coordinator."))
            continue
        grouped[claim.contributor_id].append(claim)
    plans = []
    for user_id, user_claims in grouped.items():
        profile = profiles.get(user_id)
        method = method_for(user_claims[0].contributor, profile, accounts.get(user_id))
        items = []
        for claim in user_claims:
            fee, note = claim.fee_amount, ""
            lower = profile.lower_amount if profile and profile.payment_preference == "lower_amount" else None
            if lower is not None and lower < fee:
                fee, note = (
                    lower,
                    f"Fee lowered from £{claim.fee_amount} to £{lower} at the contributor's request",
                )
            items.append({"claim": claim, "fee": fee, "expenses": claim.expenses_amount, "note": note})
        fee_total = sum((i["fee"] for i in items), ZERO)
        expenses_total = sum((i["expenses"] for i in items), ZERO)
        plans.append(
            {
                "contributor": user_claims[0].contributor,
                "method": method,
                "method_label": Method(method).label,
                "charity_name": profile.charity_name if profile and method == Method.DONATED else "",
                "items": items,
                "claim_count": len(items),
                "fee": fee_total,
                "expenses": expenses_total,
                "total": fee_total + expenses_total,
                "stripe_destination": accounts[user_id].account_id if method == Method.STRIPE else "",
            }
        )
    plans.sort(key=lambda p: (str(p["contributor"]).lower(), p["contributor"].pk))
    return plans, skipped


def preview_run(claims, *, actor):
    """What a run over `claims` would create, without writing anything."""
    claims = claims.filter(pk__in=payable_claims().values("pk")).select_related("contributor")
    return _plan(claims, actor)


def _lock_payable(ids):
    """Locks the chosen approved claims, then returns (free claims, skipped) as read under the locks."""
    locked_ids = [
        c.pk
        for c in lock_rows(
            InvolvementClaim.objects.filter(pk__in=ids, status=ClaimStatus.APPROVED)
            .order_by("pk")
            .only("pk"),
            timeout_error=PayoutBusy,
        )
    ]
    # Read after the locks are held: a run that committed while we waited is visible now.
    taken = set(PayoutItem.objects.held().filter(claim_id__in=locked_ids).values_list("claim_id", flat=True))
    race_point("payouts.claims_free")
    claims = InvolvementClaim.objects.filter(pk__in=[pk for pk in locked_ids if pk not in taken])
    skipped = [(pk, "Already in a payout.") for pk in sorted(taken)]
    skipped += [(pk, "Not approved, or no longer approved.") for pk in sorted(set(ids) - set(locked_ids))]
    return claims.select_related("contributor").order_by("pk"), skipped


def _create_payout(run, plan, actor, method=None):
    payout = Payout.objects.create(
        run=run,
        contributor=plan["contributor"],
        method=method or plan["method"],
        fee_amount=plan["fee"],
        expenses_amount=plan["expenses"],
        amount=plan["total"],
        charity_name=plan["charity_name"],
        stripe_destination=plan["stripe_destination"] if (method or plan["method"]) == Method.STRIPE else "",
    )
    PayoutItem.objects.bulk_create(
        [
            PayoutItem(
                payout=payout,
                claim=i["claim"],
                fee_amount=i["fee"],
                expenses_amount=i["expenses"],
                note=i["note"],
            )
            for i in plan["items"]
        ]
    )
    _record(
        payout,
        actor,
        "",
        f"Created in run {run.pk}: {plan['claim_count']} claim(s), {Method(payout.method).label}",
    )
    return payout


def create_run(*, actor, claim_ids, note=""):
    """Creates a payment run with one payout per contributor over the chosen approved claims.

    Idempotent under concurrency: the chosen claims are locked, then the ones already held by a payout are
    re-read and left out, so two coordinators pressing the button at once never include a claim twice;
    the second run simply finds nothing left (and is not created). Returns (run or None, skipped).
    """
    _require_coordinator(actor, "create payment runs")
    ids = sorted({int(pk) for pk in claim_ids})
    if not ids:
        raise PayoutError("Choose at least one approved claim to pay.")
    try:
        with transaction.atomic():
            claims, skipped = _lock_payable(ids)
            plans, own = _plan(claims, actor)
            skipped += own
            if not plans:
                return None, skipped
            run = PaymentRun.objects.create(created_by=actor, note=note[:200])
            for plan in plans:
                _create_payout(run, plan, actor)
    except IntegrityError as exc:
        # Only reachable if claims were not locked (the database's unique constraint caught a race).
        raise PayoutError(
            "Another payment run took some of these claims at the same moment. Try again."
        ) from exc
    return run, skipped


def pay_claim_by_hand(claim, *, actor, method, paid_on, reference, voucher_provider=""):
    """Pays one approved claim by a bank transfer or voucher made outside the portal: a payment run of
    one, recorded at once, so a claim is paid the same way whichever button pays it.

    Refused while a payout holds the claim (record the payment on that payout instead), for the
    coordinator's own claim, and when the contributor asked not to be paid."""
    _require_coordinator(actor, "record payments")
    if method not in (Method.BANK_TRANSFER, Method.VOUCHER):
        raise PayoutError("Only a bank transfer or a voucher can be recorded by hand.")
    try:
        with transaction.atomic():
            claims, skipped = _lock_payable([claim.pk])
            if skipped:
                item = PayoutItem.objects.held().filter(claim_id=claim.pk).first()
                if item is not None:
                    raise PayoutError(
                        f"This claim is in payout {item.payout_id}: record the payment on that payout, or "
                        "cancel the payout first."
                    )
                raise PayoutError("Only an approved claim can be paid.")
            plans, own = _plan(claims, actor)
            if own:
                raise PayoutError("You cannot pay a claim of your own. Please ask another coordinator.")
            [plan] = plans
            if plan["method"] in Method.without_money():
                raise PayoutError(
                    f"The contributor chose: {plan['method_label'].lower()}. Mark the claim as declined instead."
                )
            run = PaymentRun.objects.create(created_by=actor, note=f"Claim {claim.pk} paid by hand")
            payout = _create_payout(run, plan, actor, method=method)
            return record_manual_payment(
                payout,
                actor=actor,
                paid_on=paid_on,
                reference=reference,
                method=method,
                voucher_provider=voucher_provider,
            )
    except IntegrityError as exc:
        raise PayoutError("A payment run took this claim at the same moment. Look at its payout.") from exc


# ---------------------------------------------------------------------------------------------
# Holding and letting go of claims


def _refresh_amounts(payout):
    totals = (
        PayoutItem.objects.held()
        .filter(payout=payout)
        .aggregate(fee=Sum("fee_amount"), exp=Sum("expenses_amount"))
    )
    payout.fee_amount = totals["fee"] or ZERO
    payout.expenses_amount = totals["exp"] or ZERO
    payout.amount = payout.fee_amount + payout.expenses_amount


def _let_go(locked, items, actor, reason):
    """Lets go of `items` of an open payout (locked with its claims): the record stays, the amount is
    worked out again, and a payout left with nothing is cancelled."""
    now = timezone.now()
    for item in items:
        item.released_at = now
        item.release_reason = reason[:200]
        item.save(update_fields=["released_at", "release_reason"])
    previous, before = locked.status, locked.amount
    _refresh_amounts(locked)
    if not PayoutItem.objects.held().filter(payout=locked).exists():
        locked.status = Status.CANCELLED
    locked.save(update_fields=["fee_amount", "expenses_amount", "amount", "status", "updated_at"])
    listed = ", ".join(str(i.claim_id) for i in items)
    _record(locked, actor, previous, f"Let go of claim(s) {listed} ({reason}); £{before} → £{locked.amount}")


def _drop_unpayable(locked, actor):
    """Before money moves: lets go of every held claim that is no longer approved. Returns the rest."""
    items = held_items(locked)
    gone = [i for i in items if i.claim.status != ClaimStatus.APPROVED]
    for item in gone:
        _let_go(locked, [item], actor, f"claim {item.claim_id} is {item.claim.get_status_display().lower()}")
    return [i for i in items if i not in gone]


def on_release_requested(sender, claim, actor, reason, **kwargs):
    """Receiver for payments.signals.release_requested: an approved claim is being declined or cancelled.

    The caller has locked the claim; the payout is locked after it. A payout not yet sending lets go of
    the claim; one whose money is on its way to Stripe refuses, so the amount asked for cannot change."""
    item = PayoutItem.objects.held().filter(claim_id=claim.pk).first()
    if item is None:
        return
    locked = lock_one(Payout.objects.all(), pk=item.payout_id, timeout_error=PayoutBusy)
    if locked.status == Status.PROCESSING:
        raise services.ClaimError(
            f"This claim is being paid right now (payout {locked.pk} is with Stripe), so it can no longer be "
            "changed. If you do not want the money, please tell a coordinator."
        )
    if locked.status not in (Status.PENDING, Status.FAILED):
        raise services.ClaimError(f"Payout {locked.pk} is {locked.get_status_display().lower()}.")
    _let_go(locked, [item], actor, reason)


def cancel_payout(payout, *, actor, reason):
    """pending/failed -> cancelled: lets go of every claim (they become payable again)."""
    _require_coordinator(actor, "cancel payouts")
    reason = (reason or "").strip()
    if not reason:
        raise PayoutError("Say why the payout is cancelled.")
    with transaction.atomic():
        locked = _lock(payout)
        if locked.status not in (Status.PENDING, Status.FAILED):
            raise PayoutError(
                f"This payout is {locked.get_status_display().lower()}, so it cannot be cancelled."
            )
        _let_go(locked, held_items(locked), actor, f"payout cancelled: {reason}")
    return locked


# ---------------------------------------------------------------------------------------------
# Settling claims


def _mark_paid(locked, actor, note, **fields):
    previous = locked.status
    locked.status = Status.PAID
    locked.failure_reason = ""
    for key, value in fields.items():
        setattr(locked, key, value)
    locked.paid_on = locked.paid_on or timezone.localdate()
    locked.save()
    reference = locked.stripe_transfer_id or locked.reference or f"payout {locked.pk}"
    for item in held_items(locked):
        services.mark_paid(item.claim, payout=locked, actor=actor, reference=reference)
    _record(locked, actor, previous, note)
    transaction.on_commit(lambda: notify_paid(locked.pk))


def _tidy(payout, actor):
    """Lets go of held claims that are no longer approved, in a transaction of its own, so the record of
    it stays even when the action that follows finds nothing left to pay and is refused."""
    with transaction.atomic():
        locked = _lock(payout)
        if locked.status in (Status.PENDING, Status.FAILED):
            _drop_unpayable(locked, actor)


def _require_something_to_pay(locked, actor):
    """Under the payout's lock: the claims it will pay, all approved at this moment."""
    items = _drop_unpayable(locked, actor)
    race_point("payouts.claims_checked")
    if not items:
        raise PayoutError(
            "Nothing is left to pay in this payout: its claims were declined or cancelled, so it is cancelled."
        )
    return items


# ---------------------------------------------------------------------------------------------
# Manual methods


def record_manual_payment(payout, *, actor, paid_on, reference, method=None, voucher_provider=""):
    """pending/failed -> paid for a bank transfer or voucher made outside the portal.

    Pays only the claims still approved (any other is let go of first). A failed Stripe payout may be paid
    this way instead (method switches); a processing one may not, as Stripe may still have made the
    transfer: reconcile it first.
    """
    _require_coordinator(actor, "record payments")
    reference = (reference or "").strip()
    if not reference:
        raise PayoutError("Enter the bank or voucher reference, so the payment can be traced.")
    if paid_on is None or paid_on > timezone.localdate():
        raise PayoutError("Enter the date the payment was made (not in the future).")
    _tidy(payout, actor)
    with transaction.atomic():
        locked = _lock(payout)
        if locked.contributor_id == actor.pk:
            raise PayoutError("You cannot record a payment to yourself. Please ask another coordinator.")
        method = method or locked.method
        if method not in (Method.BANK_TRANSFER, Method.VOUCHER):
            raise PayoutError("Only a bank transfer or a voucher can be recorded by hand.")
        if locked.status not in (Status.PENDING, Status.FAILED):
            raise PayoutError(
                f"This payout is {locked.get_status_display().lower()}, so it cannot be recorded as paid."
            )
        _require_something_to_pay(locked, actor)
        label = Method(method).label
        _mark_paid(
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
    _require_coordinator(actor, "close payouts")
    _tidy(payout, actor)
    with transaction.atomic():
        locked = _lock(payout)
        if locked.method not in Method.without_money():
            raise PayoutError("Only a declined or donated payout can be closed without payment.")
        if locked.status != Status.PENDING:
            raise PayoutError(
                f"This payout is {locked.get_status_display().lower()}, so it cannot be closed."
            )
        _require_something_to_pay(locked, actor)
        note = (
            f"Donated to {locked.charity_name}"
            if locked.method == Method.DONATED and locked.charity_name
            else locked.get_method_display()
        )
        locked.status = Status.CLOSED
        locked.save(update_fields=["status", "updated_at"])
        for item in held_items(locked):
            services.mark_declined(item.claim, actor=actor, payout=locked, note=note)
        _record(locked, actor, Status.PENDING, note)
    return locked


# ---------------------------------------------------------------------------------------------
# Stripe


def send_stripe_transfer(payout, *, actor=None):
    """pending/failed/processing -> processing -> paid | failed, through one Stripe transfer.

    Safe to call again at any time (a double click, a retry after a timeout, the reconciler): a processing
    payout is first looked up at Stripe, and any create request repeats the same idempotency key, so Stripe
    never makes a second transfer.
    """
    if actor is not None:
        _require_coordinator(actor, "send payouts")
    _tidy(payout, actor)
    with transaction.atomic():
        locked = _lock(payout)
        if actor is not None and locked.contributor_id == actor.pk:
            raise PayoutError("You cannot send a payout to yourself. Please ask another coordinator.")
        if locked.method != Method.STRIPE:
            raise PayoutError("This payout is not paid through Stripe.")
        if locked.status == Status.CANCELLED:
            raise PayoutError("This payout was cancelled, so nothing is sent.")
        if not locked.is_open:
            return locked
        account = StripeAccount.objects.filter(user_id=locked.contributor_id).first()
        if account is None or not account.payouts_enabled:
            raise PayoutError("The contributor's Stripe account cannot receive payouts yet.")
        was_processing = locked.status == Status.PROCESSING
        if not was_processing:
            # The amount Stripe is asked for is fixed here, from the claims approved at this moment.
            _require_something_to_pay(locked, actor)
        previous = locked.status
        locked.status = Status.PROCESSING
        locked.stripe_destination = account.account_id
        locked.save(update_fields=["status", "stripe_destination", "updated_at"])
        if not was_processing:
            _record(locked, actor, previous, f"Sending £{locked.amount} by Stripe (attempt {locked.attempt})")
    # Committed: the payout says `processing` before Stripe hears of it, so a crash from here on is
    # recoverable by reconcile_payouts.
    try:
        existing = stripe_gateway.find_transfer(locked.pk) if was_processing else None
        transfer_id = (
            existing["id"]
            if existing
            else stripe_gateway.create_transfer(
                amount_pence=locked.amount_pence,
                destination=locked.stripe_destination,
                payout_id=locked.pk,
                idempotency_key=locked.idempotency_key,
                description=f"Payment for involvement (payout {locked.pk})",
            )
        )
    except stripe_gateway.GatewayError as error:
        return _transfer_failed(locked, actor, error)
    return settle_transfer(locked, transfer_id=transfer_id, actor=actor)


def _transfer_failed(payout, actor, error):
    with transaction.atomic():
        locked = _lock(payout)
        if locked.status != Status.PROCESSING:
            return locked  # a webhook settled it meanwhile
        if error.outcome_known:
            # Stripe said no: no transfer exists, so the next attempt may (and must) use a new key.
            locked.status = Status.FAILED
            locked.attempt += 1
            locked.failure_reason = error.message
            locked.save(update_fields=["status", "attempt", "failure_reason", "updated_at"])
            _record(locked, actor, Status.PROCESSING, f"Failed: {error.message}")
        else:
            # Unknown outcome: stay processing; a retry looks the transfer up and repeats the same key.
            locked.failure_reason = error.message
            locked.save(update_fields=["failure_reason", "updated_at"])
            PayoutEvent.objects.create(
                payout=locked,
                actor=actor,
                from_status=Status.PROCESSING,
                to_status=Status.PROCESSING,
                note=f"No answer from Stripe: {error.message}",
            )
    return locked


def settle_transfer(payout, *, transfer_id, actor=None):
    """processing/failed/pending -> paid, once Stripe has a transfer for the payout. Idempotent."""
    with transaction.atomic():
        locked = _lock(payout)
        if locked.status == Status.CANCELLED:
            # By construction impossible (a payout is cancelled only when no transfer can exist); if it
            # ever happens, people must look: its claims may be held by another payout now.
            _record(
                locked, None, locked.status, f"Stripe reports transfer {transfer_id} for a cancelled payout"
            )
            transaction.on_commit(lambda: notify_coordinators(locked.pk, "a transfer for a cancelled payout"))
            return locked
        if not locked.is_open:
            return locked
        _mark_paid(
            locked, actor, f"Stripe transfer {transfer_id}: £{locked.amount}", stripe_transfer_id=transfer_id
        )
    return locked


def reconcile(payout):
    """Settles a payout left `processing` (a crash or a timeout): found at Stripe -> paid; else resend."""
    return send_stripe_transfer(payout, actor=None)


def start_onboarding(user, *, refresh_url, return_url):
    """Creates the contributor's connected account if needed and returns Stripe's onboarding link."""
    account = StripeAccount.objects.filter(user=user).first()
    if account is None:
        account_id = stripe_gateway.create_connected_account(email=user.email, user_id=user.pk)
        try:
            account, _ = StripeAccount.objects.get_or_create(user=user, defaults={"account_id": account_id})
        except IntegrityError:
            account = StripeAccount.objects.get(user=user)
    return stripe_gateway.create_account_link(
        account_id=account.account_id, refresh_url=refresh_url, return_url=return_url
    )


def refresh_account(account):
    status = stripe_gateway.retrieve_account(account.account_id)
    return _apply_account_status(account.account_id, status, created=None)


def _apply_account_status(account_id, status, *, created):
    with transaction.atomic():
        account = StripeAccount.objects.select_for_update().filter(account_id=account_id).first()
        if account is None:
            return None
        if created is not None:
            if created < account.last_event_created:
                return account  # an older event arriving late: what we have is newer
            account.last_event_created = created
        account.payouts_enabled = status["payouts_enabled"]
        account.details_submitted = status["details_submitted"]
        account.requirements_due = "\n".join(status["requirements_due"])
        account.save()
    return account


# ---------------------------------------------------------------------------------------------
# Reversals: money that came back


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
        _require_coordinator(actor, "record money that came back")
    if amount <= 0:
        raise PayoutError("Enter the amount that came back (more than £0.00).")
    with transaction.atomic():
        locked = _lock(payout)
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
        _record(
            locked,
            actor,
            previous,
            f"£{amount} came back ({reference or 'no reference'}); £{remaining - amount} stays paid",
        )
        if full:
            _reopen(locked, held_items(locked), actor, "the payout was reversed in full")
        transaction.on_commit(
            lambda: notify_coordinators(locked.pk, "reversed" if full else "partly reversed")
        )
    return locked


def _reopen(locked, items, actor, why):
    now = timezone.now()
    for item in items:
        item.released_at = now
        item.release_reason = f"Reopened: {why}"[:200]
        item.reversed_amount = item.amount
        item.save(update_fields=["released_at", "release_reason", "reversed_amount"])
        services.reopen(
            item.claim, payout=locked, actor=actor, note=f"Reopened: £{item.amount} came back ({why})"
        )


def reopen_claims(payout, *, claim_ids, actor):
    """Reopens claims of a partly reversed payout (they become approved and payable again), as long as
    the money back not yet set against a claim covers them: never more money's worth than came back."""
    _require_coordinator(actor, "reopen claims")
    ids = {int(pk) for pk in claim_ids}
    if not ids:
        raise PayoutError("Choose the claims to reopen.")
    with transaction.atomic():
        locked = _lock(payout)
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
        _reopen(locked, items, actor, f"money back from payout {locked.pk}")
        _record(
            locked,
            actor,
            locked.status,
            f"Reopened claim(s) {', '.join(str(i.claim_id) for i in items)}: £{wanted}",
        )
    return locked


# ---------------------------------------------------------------------------------------------
# Webhooks


def handle_event(event):
    """Applies one verified Stripe event exactly once. Returns a short description of what it did."""
    with transaction.atomic():
        _, created = StripeWebhookEvent.objects.get_or_create(
            event_id=event.id, defaults={"event_type": event.type, "created": int(event.created)}
        )
        if not created:
            return "duplicate: already processed"
        handler = EVENT_HANDLERS.get(event.type)
        try:
            with transaction.atomic():
                outcome = handler(event) if handler else "ignored"
        except (PayoutError, services.ClaimError) as exc:
            # Nothing changed (the handler's savepoint rolled back); the event is kept, with why, for people.
            log.warning("Stripe event %s (%s) not applied: %s", event.id, event.type, exc)
            outcome = f"not applied: {exc}"
        StripeWebhookEvent.objects.filter(event_id=event.id).update(outcome=outcome[:200])
    return outcome


def _payout_for_transfer(transfer):
    metadata = getattr(transfer, "metadata", None)
    payout_id = getattr(metadata, "payout_id", None) if metadata is not None else None
    query = Q(stripe_transfer_id=transfer.id)
    if payout_id and str(payout_id).isdigit():
        query |= Q(pk=int(payout_id))
    return Payout.objects.filter(query).first()


def _on_account_updated(event):
    account = event.data.object
    applied = _apply_account_status(
        account.id, stripe_gateway.account_status(account), created=int(event.created)
    )
    return f"account {account.id} updated" if applied else f"account {account.id} unknown"


def _on_transfer_created(event):
    transfer = event.data.object
    payout = _payout_for_transfer(transfer)
    if payout is None:
        return f"transfer {transfer.id}: no payout"
    if payout.status in (Status.PROCESSING, Status.PENDING, Status.FAILED) and payout.method == Method.STRIPE:
        settle_transfer(payout, transfer_id=transfer.id)
        return f"payout {payout.pk} paid"
    return f"payout {payout.pk} already {payout.status}"


def _on_transfer_reversed(event):
    """Stripe's `amount_reversed` is the transfer's running total: what is new is that total less what
    is recorded, so a replayed or older event adds nothing."""
    transfer = event.data.object
    payout = _payout_for_transfer(transfer)
    if payout is None:
        return f"transfer {transfer.id}: no payout"
    total = getattr(transfer, "amount_reversed", None)
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        return f"transfer {transfer.id}: no usable amount_reversed, nothing changed"
    if payout.is_open:
        payout = settle_transfer(payout, transfer_id=transfer.id)  # reversed implies it was made
    back = (Decimal(total) / 100).quantize(Decimal("0.01"))
    new = min(back, payout.amount) - reversed_total(payout)
    if new <= 0:
        return f"payout {payout.pk}: reversal of {total}p already recorded"
    record_reversal(payout, amount=new, reference=transfer.id, note=f"Stripe event {event.id}")
    return f"payout {payout.pk}: £{new} reversed"


def _on_payout_failed(event):
    # A connected account's payout to its own bank failed: our transfer stands, but the contributor has not
    # received the money. Coordinators must hear of it.
    stripe_payout = event.data.object
    account_id = getattr(event, "account", None)
    account = StripeAccount.objects.filter(account_id=account_id).first() if account_id else None
    if account is None:
        return "payout.failed for an unknown account"
    reason = (
        getattr(stripe_payout, "failure_message", None)
        or getattr(stripe_payout, "failure_code", "")
        or "unknown"
    )
    latest = Payout.objects.filter(
        contributor_id=account.user_id, method=Method.STRIPE, status=Status.PAID
    ).first()
    if latest is not None:
        PayoutEvent.objects.create(
            payout=latest,
            actor=None,
            from_status=latest.status,
            to_status=latest.status,
            note=f"Stripe could not pay the money on to the contributor's bank: {reason}",
        )
        transaction.on_commit(lambda: notify_coordinators(latest.pk, "bank payout failed"))
    return f"bank payout failed for {account.account_id}"


EVENT_HANDLERS = {
    "account.updated": _on_account_updated,
    "transfer.created": _on_transfer_created,
    "transfer.reversed": _on_transfer_reversed,
    "payout.failed": _on_payout_failed,
}


# ---------------------------------------------------------------------------------------------
# E-mails


def notify_paid(payout_id):
    payout = Payout.objects.select_related("contributor").get(pk=payout_id)
    items = PayoutItem.objects.filter(payout=payout).select_related("claim")
    context = {
        "payout": payout,
        "items": items,
        "url": _absolute(reverse("payouts:detail", args=[payout.pk])),
    }
    queue_email(to=[payout.contributor.email], **render_email("payments/email/payout_paid", context))


def notify_coordinators(payout_id, what):
    payout = Payout.objects.select_related("contributor").get(pk=payout_id)
    recipients = list(
        get_user_model()
        .objects.filter(Q(groups__name=COORDINATORS) | Q(is_superuser=True), is_active=True)
        .values_list("email", flat=True)
        .distinct()
    )
    if recipients:
        context = {
            "payout": payout,
            "what": what,
            "url": _absolute(reverse("payouts_admin:detail", args=[payout.pk])),
        }
        queue_email(to=recipients, **render_email("payments/email/payout_problem", context))


def _absolute(path):
    from django.conf import settings

    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def stuck_processing(older_than=datetime.timedelta(minutes=10)):
    return Payout.objects.filter(status=Status.PROCESSING, updated_at__lt=timezone.now() - older_than)
