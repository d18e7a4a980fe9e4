"""Payout services: payment runs, Stripe transfers, recorded manual payments and Stripe webhooks.

Invariants (each function's docstring says which it relies on):
- A claim enters at most one payout: runs lock the claims, then re-read which are already taken, and the
  one-to-one PayoutItem.claim backs that up in the database.
- A Stripe transfer is created only from `processing`, with the payout's deterministic idempotency key, and
  outside any database transaction (a slow Stripe never holds a lock); what Stripe answered is written
  afterwards under a fresh lock. A crash in between leaves the payout `processing`, which
  `reconcile_payouts` settles by looking the transfer up, or by repeating the same idempotent request.
- Webhook events are applied once (their ids are stored) and in any order.
"""

import datetime
import logging
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import COORDINATORS
from portal.mail import queue_email, render_email

from . import stripe_gateway
from .models import ClaimEvent, ContributorProfile, InvolvementClaim
from .payout_models import PaymentRun, Payout, PayoutEvent, PayoutItem, StripeAccount, StripeWebhookEvent

log = logging.getLogger(__name__)
ZERO = Decimal("0.00")
ClaimStatus = InvolvementClaim.Status
Method = Payout.Method
Status = Payout.Status

# Tests switch this off to show the race that the lock prevents; nothing else may.
LOCK_CLAIMS_IN_RUNS = True


class PayoutError(Exception):
    """A payout action that is not allowed; the message is shown to the person."""


def _require_coordinator(actor, doing):
    if actor is None or not actor.is_coordinator:
        raise PayoutError(f"Only a coordinator can {doing}.")


def _record(payout, actor, from_status, note=""):
    PayoutEvent.objects.create(
        payout=payout, actor=actor, from_status=from_status, to_status=payout.status, note=note
    )


def _lock(payout):
    return Payout.objects.select_for_update().get(pk=payout.pk)


# ---------------------------------------------------------------------------------------------
# Payment runs


def payable_claims():
    """Approved claims that are in no payout yet."""
    return InvolvementClaim.objects.filter(status=ClaimStatus.APPROVED, payout_item__isnull=True)


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


def create_run(*, actor, claim_ids, note=""):
    """Creates a payment run with one payout per contributor over the chosen approved claims.

    Idempotent under concurrency: the chosen claims are locked, then the ones already in a payout are
    re-read and left out, so two coordinators pressing the button at once never include a claim twice;
    the second run simply finds nothing left (and is not created). Returns (run or None, skipped).
    """
    _require_coordinator(actor, "create payment runs")
    ids = sorted({int(pk) for pk in claim_ids})
    if not ids:
        raise PayoutError("Choose at least one approved claim to pay.")
    with transaction.atomic():
        chosen = InvolvementClaim.objects.filter(pk__in=ids, status=ClaimStatus.APPROVED).order_by("pk")
        if LOCK_CLAIMS_IN_RUNS:
            chosen = chosen.select_for_update()
        locked_ids = list(chosen.values_list("pk", flat=True))
        # Read after the locks are held: a run that committed while we waited is visible now.
        taken = set(PayoutItem.objects.filter(claim_id__in=locked_ids).values_list("claim_id", flat=True))
        claims = InvolvementClaim.objects.filter(
            pk__in=[pk for pk in locked_ids if pk not in taken]
        ).select_related("contributor")
        plans, skipped = _plan(claims, actor)
        skipped += [(pk, "Already in a payout.") for pk in taken]
        skipped += [(pk, "Not approved, or no longer approved.") for pk in set(ids) - set(locked_ids)]
        if not plans:
            return None, skipped
        run = PaymentRun.objects.create(created_by=actor, note=note[:200])
        for plan in plans:
            payout = Payout.objects.create(
                run=run,
                contributor=plan["contributor"],
                method=plan["method"],
                fee_amount=plan["fee"],
                expenses_amount=plan["expenses"],
                amount=plan["total"],
                charity_name=plan["charity_name"],
                stripe_destination=plan["stripe_destination"],
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
                f"Created in run {run.pk}: {plan['claim_count']} claim(s), {plan['method_label']}",
            )
    return run, skipped


# ---------------------------------------------------------------------------------------------
# Settling claims (no human actor needed: Stripe or the reconciler may be the one who knows)


def _settle_claims(payout, actor, to_status, note):
    """Moves every claim of the payout from approved to `to_status` (paid or declined), with audit entries."""
    claims = InvolvementClaim.objects.select_for_update().filter(payout_item__payout=payout).order_by("pk")
    now = timezone.now()
    reference = payout.stripe_transfer_id or payout.reference or f"payout {payout.pk}"
    for claim in claims:
        if claim.status != ClaimStatus.APPROVED:
            continue
        claim.status = to_status
        fields = ["status", "updated_at"]
        if to_status == ClaimStatus.PAID:
            claim.paid_at = now
            claim.payment_reference = reference[:120]
            fields += ["paid_at", "payment_reference"]
        claim.save(update_fields=fields)
        ClaimEvent.objects.create(
            claim=claim, actor=actor, from_status=ClaimStatus.APPROVED, to_status=to_status, note=note
        )


def _unsettle_claims(payout, actor, note):
    """After a reversal: paid claims go back to approved and leave the payout, so a later run can pay them."""
    items = list(PayoutItem.objects.select_related("claim").filter(payout=payout))
    for item in items:
        claim = InvolvementClaim.objects.select_for_update().get(pk=item.claim_id)
        if claim.status == ClaimStatus.PAID:
            claim.status = ClaimStatus.APPROVED
            claim.paid_at = None
            claim.payment_reference = ""
            claim.save(update_fields=["status", "paid_at", "payment_reference", "updated_at"])
            ClaimEvent.objects.create(
                claim=claim, actor=actor, from_status=ClaimStatus.PAID, to_status=claim.status, note=note
            )
    listed = ", ".join(str(i.claim_id) for i in items)
    PayoutItem.objects.filter(payout=payout).delete()
    return listed


def _mark_paid(locked, actor, note, **fields):
    previous = locked.status
    locked.status = Status.PAID
    locked.failure_reason = ""
    for key, value in fields.items():
        setattr(locked, key, value)
    locked.paid_on = locked.paid_on or timezone.localdate()
    locked.save()
    _settle_claims(locked, actor, ClaimStatus.PAID, note)
    _record(locked, actor, previous, note)
    transaction.on_commit(lambda: notify_paid(locked.pk))


# ---------------------------------------------------------------------------------------------
# Manual methods


def record_manual_payment(payout, *, actor, paid_on, reference, method=None, voucher_provider=""):
    """pending/failed -> paid for a bank transfer or voucher made outside the portal.

    A failed Stripe payout may be paid this way instead (method switches); a processing one may not, as
    Stripe may still have made the transfer: reconcile it first.
    """
    _require_coordinator(actor, "record payments")
    reference = (reference or "").strip()
    if not reference:
        raise PayoutError("Enter the bank or voucher reference, so the payment can be traced.")
    if paid_on is None or paid_on > timezone.localdate():
        raise PayoutError("Enter the date the payment was made (not in the future).")
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
        label = Method(method).label
        _mark_paid(
            locked,
            actor,
            f"{label} recorded: {reference} on {paid_on:%d %b %Y}",
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
    with transaction.atomic():
        locked = _lock(payout)
        if locked.method not in Method.without_money():
            raise PayoutError("Only a declined or donated payout can be closed without payment.")
        if locked.status != Status.PENDING:
            raise PayoutError(
                f"This payout is {locked.get_status_display().lower()}, so it cannot be closed."
            )
        locked.status = Status.CLOSED
        locked.save(update_fields=["status", "updated_at"])
        note = (
            f"Donated to {locked.charity_name}"
            if locked.method == Method.DONATED and locked.charity_name
            else locked.get_method_display()
        )
        _settle_claims(locked, actor, ClaimStatus.DECLINED, note)
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
    with transaction.atomic():
        locked = _lock(payout)
        if actor is not None and locked.contributor_id == actor.pk:
            raise PayoutError("You cannot send a payout to yourself. Please ask another coordinator.")
        if locked.method != Method.STRIPE:
            raise PayoutError("This payout is not paid through Stripe.")
        if locked.status in (Status.PAID, Status.REVERSED, Status.CLOSED):
            return locked
        account = StripeAccount.objects.filter(user_id=locked.contributor_id).first()
        if account is None or not account.payouts_enabled:
            raise PayoutError("The contributor's Stripe account cannot receive payouts yet.")
        was_processing = locked.status == Status.PROCESSING
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
        if locked.status in (Status.PAID, Status.REVERSED, Status.CLOSED):
            return locked
        _mark_paid(locked, actor, f"Stripe transfer {transfer_id}", stripe_transfer_id=transfer_id)
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
        outcome = handler(event) if handler else "ignored"
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
    transfer = event.data.object
    payout = _payout_for_transfer(transfer)
    if payout is None:
        return f"transfer {transfer.id}: no payout"
    with transaction.atomic():
        locked = _lock(payout)
        if locked.status == Status.REVERSED:
            return f"payout {payout.pk} already reversed"
        previous = locked.status
        locked.status = Status.REVERSED
        locked.stripe_transfer_id = locked.stripe_transfer_id or transfer.id
        locked.failure_reason = "Stripe reversed the transfer."
        locked.save(update_fields=["status", "stripe_transfer_id", "failure_reason", "updated_at"])
        listed = _unsettle_claims(locked, None, f"Stripe reversed transfer {transfer.id}")
        _record(
            locked,
            None,
            previous,
            f"Transfer {transfer.id} reversed; claims {listed} are approved and unpaid again",
        )
        transaction.on_commit(lambda: notify_coordinators(locked.pk, "reversed"))
    return f"payout {payout.pk} reversed"


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
