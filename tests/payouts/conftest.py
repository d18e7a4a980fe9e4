"""Payout tests use the claim fixtures of the payments tests (claims are made through payments.services)."""

from tests.payments.conftest import make_claim, pay_by_hand, policy_versions  # noqa: F401
