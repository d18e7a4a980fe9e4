"""Payout services: every state change of a payout, and the only code that moves a claim's money.

Split by concern: `runs` (payment runs, paying a claim by hand), `holding` (holding claims and letting
go of them before money moves, cancelling a payout), `settling` (recorded bank transfers and vouchers,
closing declined or donated payouts), `transfers` (Stripe transfers, reconciliation, connected
accounts), `reversals` (money that came back, reopening claims), `webhooks` (Stripe events).

Invariants:
- A claim is held by at most one payout at a time: runs lock the claims, then re-read which are already
  held, and a partial unique constraint on PayoutItem backs that up in the database.
- Claims change status only through payments.services; these modules call its transitions, and let go
  of a claim when it asks (`holding.on_release_requested`).
- A payout pays only claims that are approved when it is sent or recorded (re-checked under lock); any
  other it still holds is let go of, with an audit entry, and its amount worked out again.
- Locks: the payout's claims first (by primary key), then the payout, the same order as payments.services.
- While processing (money on its way to Stripe), a payout never lets go of a claim, so the amount Stripe
  was asked for cannot change.
- Reversals carry amounts: money back is recorded as it comes (never more than was paid); a payout
  reversed in full reopens its claims, one reversed in part reopens only the claims a coordinator picks,
  never more money's worth than came back.
"""

from .common import PayoutBusy, PayoutError
from .holding import cancel_payout, on_release_requested
from .reversals import record_reversal, reopen_claims, reversed_total, unallocated_reversal
from .runs import (
    create_run,
    method_for,
    pay_claim_by_hand,
    payable_claims,
    preview_run,
    run_warnings,
)
from .settling import close_without_payment, record_manual_payment
from .transfers import (
    reconcile,
    refresh_account,
    send_stripe_transfer,
    settle_transfer,
    start_onboarding,
    stuck_processing,
)
from .webhooks import handle_event

__all__ = [
    "PayoutBusy",
    "PayoutError",
    "cancel_payout",
    "close_without_payment",
    "create_run",
    "handle_event",
    "method_for",
    "on_release_requested",
    "pay_claim_by_hand",
    "payable_claims",
    "preview_run",
    "reconcile",
    "record_manual_payment",
    "record_reversal",
    "refresh_account",
    "reopen_claims",
    "reversed_total",
    "run_warnings",
    "send_stripe_transfer",
    "settle_transfer",
    "start_onboarding",
    "stuck_processing",
    "unallocated_reversal",
]
