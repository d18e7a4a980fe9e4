"""Payout tests use the claim fixtures of the payments tests (claims are made through payments.services)."""

from tests.payments.conftest import make_claim, paid_event, pay_by_hand, policy_versions, set_attendance  # noqa: F401
