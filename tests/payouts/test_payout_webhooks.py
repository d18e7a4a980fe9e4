"""Stripe webhooks, signed locally: valid, wrong secret, stale, replayed, out of order."""

import time

import pytest
from django.urls import reverse

from payments.factories import ContributorProfileFactory
from payments.models import InvolvementClaim
from payouts import services as payouts
from payouts.models import Payout, StripeAccount, StripeWebhookEvent
from portal import audit

from .fake_stripe import event_payload, sign_payload

pytestmark = pytest.mark.django_db

SECRET = "whsec_test_local_secret"
URL = "/stripe/webhook/"


@pytest.fixture(autouse=True)
def stripe_settings(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: webhooks must not call Stripe


def post(client, payload, secret=SECRET, timestamp=None, header=None):
    signature = header if header is not None else sign_payload(payload, secret, timestamp)
    return client.post(URL, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


@pytest.fixture
def account(contributor):
    return StripeAccount.objects.create(user=contributor, account_id="acct_hook", payouts_enabled=False)


def account_event(event_id, *, enabled, created):
    obj = {
        "id": "acct_hook",
        "object": "account",
        "payouts_enabled": enabled,
        "details_submitted": enabled,
        "requirements": {"currently_due": [] if enabled else ["external_account"]},
    }
    return event_payload(event_id, "account.updated", obj, created=created)


def test_valid_account_updated_records_payouts_enabled(client, account):
    response = post(client, account_event("evt_1", enabled=True, created=int(time.time())))
    assert response.status_code == 200
    account.refresh_from_db()
    assert account.payouts_enabled and account.details_submitted and account.requirements_due == ""


@pytest.mark.parametrize(
    "kwargs",
    [
        {"secret": "whsec_wrong"},
        {"timestamp": int(time.time()) - 3600},
        {"header": ""},
        {"header": "t=1,v1=deadbeef"},
    ],
    ids=["wrong-secret", "stale", "missing", "garbage"],
)
def test_bad_signatures_are_refused_and_change_nothing(client, account, kwargs):
    response = post(client, account_event("evt_bad", enabled=True, created=int(time.time())), **kwargs)
    assert response.status_code == 400
    account.refresh_from_db()
    assert not account.payouts_enabled
    assert not StripeWebhookEvent.objects.exists()


def test_invalid_json_is_refused(client):
    payload = "not json"
    assert post(client, payload).status_code == 400


def test_only_post_is_accepted(client):
    assert client.get(URL).status_code == 405


def test_replayed_event_does_nothing_the_second_time(client, account):
    payload = account_event("evt_replay", enabled=True, created=int(time.time()))
    assert post(client, payload).json()["outcome"] == "account acct_hook updated"
    StripeAccount.objects.filter(pk=account.pk).update(payouts_enabled=False)  # someone changed it since
    response = post(client, payload)
    assert response.status_code == 200
    assert response.json()["outcome"].startswith("duplicate")
    account.refresh_from_db()
    assert not account.payouts_enabled, "a replay must not re-apply an old event"
    assert StripeWebhookEvent.objects.filter(event_id="evt_replay").count() == 1


def test_out_of_order_account_events_keep_the_newest_state(client, account):
    now = int(time.time())
    post(client, account_event("evt_new", enabled=True, created=now))
    post(client, account_event("evt_old", enabled=False, created=now - 600))
    account.refresh_from_db()
    assert account.payouts_enabled, "an older event arriving late must not undo a newer one"


@pytest.fixture
def stripe_payout(contributor, coordinator, make_claim):
    ContributorProfileFactory(user=contributor, payment_preference="stripe")
    StripeAccount.objects.create(user=contributor, account_id="acct_pay", payouts_enabled=True)
    claims = [make_claim(contributor, status="approved", approver=coordinator) for _ in range(2)]
    run, _ = payouts.create_run(actor=coordinator, claim_ids=[c.pk for c in claims])
    payout = run.payouts.get()
    assert payout.method == "stripe"
    Payout.objects.filter(pk=payout.pk).update(status="processing")
    return payout, claims


def transfer(payout, transfer_id="tr_hook", reversed_=False):
    return {
        "id": transfer_id,
        "object": "transfer",
        "amount": payout.amount_pence,
        "currency": "gbp",
        "destination": "acct_pay",
        "metadata": {"payout_id": str(payout.pk)},
        "reversed": reversed_,
        # Stripe's running total of what was reversed, in pence.
        "amount_reversed": payout.amount_pence if reversed_ else 0,
    }


def test_transfer_created_settles_a_processing_payout(client, stripe_payout):
    payout, claims = stripe_payout
    now = int(time.time())
    assert (
        post(client, event_payload("evt_tc", "transfer.created", transfer(payout), created=now)).status_code
        == 200
    )
    payout.refresh_from_db()
    assert payout.status == "paid" and payout.stripe_transfer_id == "tr_hook"
    assert {InvolvementClaim.objects.get(pk=c.pk).status for c in claims} == {"paid"}


def test_transfer_reversed_returns_claims_and_tells_coordinators(
    client, stripe_payout, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    payout, claims = stripe_payout
    now = int(time.time())
    post(client, event_payload("evt_c", "transfer.created", transfer(payout), created=now))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            event_payload("evt_r", "transfer.reversed", transfer(payout, reversed_=True), created=now + 5),
        )
    assert response.status_code == 200
    payout.refresh_from_db()
    assert payout.status == "reversed"
    assert {InvolvementClaim.objects.get(pk=c.pk).status for c in claims} == {"approved"}
    assert payouts.payable_claims().filter(pk__in=[c.pk for c in claims]).count() == 2, "payable again"
    assert any(coordinator.email in m.to for m in mailoutbox)
    [reversal] = payout.reversals.all()
    assert reversal.amount == payout.amount and reversal.reference == "tr_hook"
    # The record of the payment and of the money back stays; the claims are let go of, not deleted.
    assert payout.items.count() == 2 and not payout.items.held().exists()
    assert {i.reversed_amount for i in payout.items.all()} == {c.total_amount for c in claims}


def test_reversal_arriving_before_creation_still_ends_reversed(client, stripe_payout):
    payout, claims = stripe_payout
    now = int(time.time())
    post(
        client,
        event_payload("evt_r2", "transfer.reversed", transfer(payout, reversed_=True), created=now + 5),
    )
    post(client, event_payload("evt_c2", "transfer.created", transfer(payout), created=now))
    payout.refresh_from_db()
    assert payout.status == "reversed"
    assert {InvolvementClaim.objects.get(pk=c.pk).status for c in claims} == {"approved"}


def test_payout_failed_is_recorded_and_coordinators_told(
    client, stripe_payout, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    payout, _ = stripe_payout
    now = int(time.time())
    post(client, event_payload("evt_c3", "transfer.created", transfer(payout), created=now))
    failed = {
        "id": "po_1",
        "object": "payout",
        "amount": 100,
        "failure_code": "account_closed",
        "failure_message": "The bank account has been closed.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client, event_payload("evt_pf", "payout.failed", failed, created=now + 10, account="acct_pay")
        )
    assert response.status_code == 200
    assert any("bank account has been closed" in e.note for e in audit.trail(payout))
    assert any("bank payout failed" in m.subject for m in mailoutbox)


def test_unknown_events_are_acknowledged_and_ignored(client):
    response = post(client, event_payload("evt_x", "charge.succeeded", {"id": "ch_1", "object": "charge"}))
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"


def test_webhook_route_is_the_named_url():
    assert reverse("stripe_webhook") == URL
