"""Stripe: one transfer per payout, whatever happens on the way, and the contributor's connected account.

A transfer is created only from `processing`, with the payout's deterministic idempotency key, outside
any database transaction; what Stripe answered is written afterwards under a fresh lock. A timeout or a
dropped connection leaves the payout `processing`: a retry or `reconcile_payouts` looks the transfer up
or repeats the same idempotent request, so Stripe never makes a second transfer.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.locking import lock_one

from .. import stripe_gateway
from ..models import Payout, StripeAccount
from ..notifications import notify_coordinators
from .common import Method, PayoutBusy, PayoutError, Status, lock, record, require_coordinator
from .holding import require_something_to_pay, tidy
from .settling import mark_paid


def send_stripe_transfer(payout, *, actor=None):
    """pending/failed/processing -> processing -> paid | failed, through one Stripe transfer.

    Safe to call again at any time (a double click, a retry after a timeout, the reconciler): a processing
    payout is first looked up at Stripe, and any create request repeats the same idempotency key, so Stripe
    never makes a second transfer.
    """
    if actor is not None:
        require_coordinator(actor, "send payouts")
    tidy(payout, actor)
    with transaction.atomic():
        locked = lock(payout)
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
            require_something_to_pay(locked, actor)
        previous = locked.status
        locked.status = Status.PROCESSING
        locked.stripe_destination = account.account_id
        locked.save(update_fields=["status", "stripe_destination", "updated_at"])
        if not was_processing:
            record(locked, actor, previous, f"Sending £{locked.amount} by Stripe (attempt {locked.attempt})")
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
        return transfer_failed(locked, actor, error)
    return settle_transfer(locked, transfer_id=transfer_id, actor=actor)


def transfer_failed(payout, actor, error):
    with transaction.atomic():
        locked = lock(payout)
        if locked.status != Status.PROCESSING:
            return locked  # a webhook settled it meanwhile
        if error.outcome_known:
            # Stripe said no: no transfer exists, so the next attempt may (and must) use a new key.
            locked.status = Status.FAILED
            locked.attempt += 1
            locked.failure_reason = error.message
            locked.save(update_fields=["status", "attempt", "failure_reason", "updated_at"])
            record(locked, actor, Status.PROCESSING, f"Failed: {error.message}")
        else:
            # Unknown outcome: stay processing; a retry looks the transfer up and repeats the same key.
            locked.failure_reason = error.message
            locked.save(update_fields=["failure_reason", "updated_at"])
            record(locked, actor, Status.PROCESSING, f"No answer from Stripe: {error.message}")
    return locked


def settle_transfer(payout, *, transfer_id, actor=None):
    """processing/failed/pending -> paid, once Stripe has a transfer for the payout. Idempotent."""
    with transaction.atomic():
        locked = lock(payout)
        if locked.status == Status.CANCELLED:
            # By construction impossible (a payout is cancelled only when no transfer can exist); if it
            # ever happens, people must look: its claims may be held by another payout now.
            record(
                locked, None, locked.status, f"Stripe reports transfer {transfer_id} for a cancelled payout"
            )
            transaction.on_commit(lambda: notify_coordinators(locked.pk, "a transfer for a cancelled payout"))
            return locked
        if not locked.is_open:
            return locked
        mark_paid(
            locked, actor, f"Stripe transfer {transfer_id}: £{locked.amount}", stripe_transfer_id=transfer_id
        )
    return locked


def reconcile(payout):
    """Settles a payout left `processing` (a crash or a timeout): found at Stripe -> paid; else resend."""
    return send_stripe_transfer(payout, actor=None)


def stuck_processing(older_than=datetime.timedelta(minutes=10)):
    return Payout.objects.filter(status=Status.PROCESSING, updated_at__lt=timezone.now() - older_than)


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
    return apply_account_status(account.account_id, status, created=None)


def apply_account_status(account_id, status, *, created):
    with transaction.atomic():
        account = StripeAccount.objects.filter(account_id=account_id).only("pk").first()
        if account is None:
            return None
        account = lock_one(StripeAccount.objects.all(), pk=account.pk, timeout_error=PayoutBusy)
        if created is not None:
            if created < account.last_event_created:
                return account  # an older event arriving late: what we have is newer
            account.last_event_created = created
        account.payouts_enabled = status["payouts_enabled"]
        account.details_submitted = status["details_submitted"]
        account.requirements_due = "\n".join(status["requirements_due"])
        account.save()
    return account
