"""What every payout service shares: the errors people see, who may act, the audit entry, and the lock
order (a payout's claims by primary key, then the payout: the order payments.services uses)."""

from decimal import Decimal

from payments.models import InvolvementClaim
from portal import audit
from portal.locking import lock_one, lock_rows

from ..models import Payout, PayoutItem

ZERO = Decimal("0.00")
ClaimStatus = InvolvementClaim.Status
Method = Payout.Method
Status = Payout.Status
PAY = "payouts.change_payout"
CHANGED = "payouts.payout.changed"  # the audit action of every change of a payout


class PayoutError(Exception):
    """A payout action that is not allowed; the message is shown to the person."""


class PayoutBusy(PayoutError):
    """Someone else is changing the same payout or its claims right now."""


def require_coordinator(actor, doing, permission=PAY):
    """Payouts are run by people with the payout permission (Coordinators have it), never group names."""
    if actor is None or not actor.is_active or not actor.has_perm(permission):
        raise PayoutError(f"Only a coordinator can {doing}.")


def record(payout, actor, from_status, note=""):
    """The payout's audit entry (Wagtail's log: the payout's History page and its history as shown)."""
    audit.record_change(
        payout, CHANGED, actor=actor, from_status=from_status, to_status=payout.status, note=note
    )


def lock(payout):
    """Locks the claims the payout holds (by primary key), then the payout: the order services use.

    Items are only ever let go of, never added to an existing payout, so the claims read before the
    locks are a superset of those held once the locks are granted."""
    claim_ids = list(PayoutItem.objects.held().filter(payout_id=payout.pk).values_list("claim_id", flat=True))
    lock_rows(InvolvementClaim.objects.filter(pk__in=claim_ids).order_by("pk"), timeout_error=PayoutBusy)
    return lock_one(Payout.objects.all(), pk=payout.pk, timeout_error=PayoutBusy)


def held_items(payout):
    return list(PayoutItem.objects.held().filter(payout=payout).select_related("claim").order_by("pk"))
