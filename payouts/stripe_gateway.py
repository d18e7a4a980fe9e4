"""Every call to Stripe goes through this module, so tests replace one thing: the address it talks to.

It speaks Stripe's language (accounts, account links, transfers, events) and returns plain values; it never
touches the database. Errors come back as `GatewayError` with a human message and whether the outcome is
*known*: a definite refusal (card/balance/invalid account/authentication) means no transfer exists, while a
timeout, a dropped connection, a rate limit or a Stripe server error leaves it unknown whether Stripe acted,
so the caller must retry with the same idempotency key or look the transfer up, never create a new one.
"""

from dataclasses import dataclass

import stripe
from django.conf import settings


class StripeNotConfigured(Exception):
    pass


@dataclass
class GatewayError(Exception):
    message: str
    outcome_known: bool
    code: str = ""
    http_status: int | None = None

    def __str__(self):
        return self.message


def is_configured():
    return bool(settings.STRIPE_SECRET_KEY)


def is_test_mode():
    return settings.STRIPE_SECRET_KEY.startswith(("sk_test_", "rk_test_"))


def get_client():
    if not is_configured():
        raise StripeNotConfigured("Stripe is not set up: STRIPE_SECRET_KEY is empty.")
    base_addresses = {"api": settings.STRIPE_API_BASE.rstrip("/")} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base_addresses,
        # Retries are ours to decide (same idempotency key, or a look-up), not the library's.
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )


def _translate(exc):
    status = getattr(exc, "http_status", None)
    code = getattr(exc, "code", "") or ""
    detail = getattr(exc, "user_message", None) or str(exc) or exc.__class__.__name__
    if isinstance(exc, stripe.APIConnectionError):
        return GatewayError(
            "Stripe did not answer in time or the connection dropped; the transfer may or may not exist. "
            "Retrying is safe: it uses the same idempotency key.",
            outcome_known=False,
            code="connection",
        )
    if isinstance(exc, stripe.RateLimitError):
        return GatewayError(
            "Stripe is limiting requests (429); try again shortly.", False, "rate_limit", status
        )
    if isinstance(exc, stripe.IdempotencyError):
        return GatewayError(f"Stripe refused a conflicting retry: {detail}", False, "idempotency", status)
    if isinstance(exc, stripe.APIError) or (status is not None and status >= 500):
        return GatewayError(
            f"Stripe had a server error ({status}); try again.", False, code or "api_error", status
        )
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return GatewayError(
            f"Stripe refused our credentials: {detail}", True, code or "authentication", status
        )
    if code == "balance_insufficient":
        return GatewayError(
            "The platform's Stripe balance is too low for this transfer. Top up the balance, then retry.",
            True,
            code,
            status,
        )
    return GatewayError(f"Stripe declined the transfer: {detail}", True, code or "invalid_request", status)


def create_connected_account(*, email, user_id):
    client = get_client()
    try:
        account = client.v1.accounts.create(
            {
                "type": "express",
                "country": settings.STRIPE_CONNECT_COUNTRY,
                "email": email,
                "capabilities": {"transfers": {"requested": True}},
                "business_type": "individual",
                "metadata": {"portal_user_id": str(user_id)},
            },
            options={"idempotency_key": f"connect-account-user-{user_id}"},
        )
    except stripe.StripeError as exc:
        raise _translate(exc) from exc
    return account.id


def create_account_link(*, account_id, refresh_url, return_url):
    client = get_client()
    try:
        link = client.v1.account_links.create(
            {
                "account": account_id,
                "refresh_url": refresh_url,
                "return_url": return_url,
                "type": "account_onboarding",
            }
        )
    except stripe.StripeError as exc:
        raise _translate(exc) from exc
    return link.url


def retrieve_account(account_id):
    client = get_client()
    try:
        account = client.v1.accounts.retrieve(account_id)
    except stripe.StripeError as exc:
        raise _translate(exc) from exc
    return account_status(account)


def account_status(account):
    """The parts of a Stripe account the portal keeps, from an API object or an event's data."""
    requirements = getattr(account, "requirements", None)
    due = list(getattr(requirements, "currently_due", None) or []) if requirements else []
    return {
        "id": account.id,
        "payouts_enabled": bool(getattr(account, "payouts_enabled", False)),
        "details_submitted": bool(getattr(account, "details_submitted", False)),
        "requirements_due": due,
    }


def create_transfer(*, amount_pence, destination, payout_id, idempotency_key, description=""):
    """Moves money from the platform balance to a connected account. Returns the transfer id."""
    if amount_pence <= 0:
        raise GatewayError("A transfer must be for more than £0.00.", True, "amount")
    client = get_client()
    try:
        transfer = client.v1.transfers.create(
            {
                "amount": amount_pence,
                "currency": "gbp",
                "destination": destination,
                "transfer_group": transfer_group(payout_id),
                "description": description[:350],
                "metadata": {"payout_id": str(payout_id)},
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as exc:
        raise _translate(exc) from exc
    return transfer.id


def find_transfer(payout_id):
    """The transfer made for a payout, if Stripe has one (looked up by its transfer group), else None."""
    client = get_client()
    try:
        transfers = client.v1.transfers.list({"transfer_group": transfer_group(payout_id), "limit": 10})
    except stripe.StripeError as exc:
        raise _translate(exc) from exc
    for transfer in transfers.data:
        metadata = getattr(transfer, "metadata", None)
        if metadata is not None and getattr(metadata, "payout_id", None) == str(payout_id):
            return {
                "id": transfer.id,
                "amount": transfer.amount,
                "reversed": bool(getattr(transfer, "reversed", False)),
            }
    return None


def transfer_group(payout_id):
    return f"payout-{payout_id}"


def construct_event(payload, sig_header):
    """Verifies the Stripe-Signature header (HMAC-SHA256, 5-minute tolerance) and parses the event.

    Raises ValueError for a payload that is not JSON and stripe.SignatureVerificationError for a bad,
    stale or missing signature.
    """
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise stripe.SignatureVerificationError("No webhook secret is configured.", sig_header, payload)
    return stripe.Webhook.construct_event(payload, sig_header, settings.STRIPE_WEBHOOK_SECRET)
