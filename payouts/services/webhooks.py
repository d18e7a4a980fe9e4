"""Stripe webhooks: each verified event applied exactly once (its id is stored) and in any order."""

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from payments import services as claims

from .. import stripe_gateway
from ..models import Payout, StripeAccount, StripeWebhookEvent
from ..notifications import notify_coordinators
from .common import Method, PayoutError, Status, record
from .reversals import record_reversal, reversed_total
from .transfers import apply_account_status, settle_transfer

log = logging.getLogger(__name__)


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
        except (PayoutError, claims.ClaimError) as exc:
            # Nothing changed (the handler's savepoint rolled back); the event is kept, with why, for people.
            log.warning("Stripe event %s (%s) not applied: %s", event.id, event.type, exc)
            outcome = f"not applied: {exc}"
        StripeWebhookEvent.objects.filter(event_id=event.id).update(outcome=outcome[:200])
    return outcome


def payout_for_transfer(transfer):
    metadata = getattr(transfer, "metadata", None)
    payout_id = getattr(metadata, "payout_id", None) if metadata is not None else None
    query = Q(stripe_transfer_id=transfer.id)
    if payout_id and str(payout_id).isdigit():
        query |= Q(pk=int(payout_id))
    return Payout.objects.filter(query).first()


def _on_account_updated(event):
    account = event.data.object
    applied = apply_account_status(
        account.id, stripe_gateway.account_status(account), created=int(event.created)
    )
    return f"account {account.id} updated" if applied else f"account {account.id} unknown"


def _on_transfer_created(event):
    transfer = event.data.object
    payout = payout_for_transfer(transfer)
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
    payout = payout_for_transfer(transfer)
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
        record(
            latest,
            None,
            latest.status,
            f"Stripe could not pay the money on to the contributor's bank: {reason}",
        )
        transaction.on_commit(lambda: notify_coordinators(latest.pk, "bank payout failed"))
    return f"bank payout failed for {account.account_id}"


EVENT_HANDLERS = {
    "account.updated": _on_account_updated,
    "transfer.created": _on_transfer_created,
    "transfer.reversed": _on_transfer_reversed,
    "payout.failed": _on_payout_failed,
}
