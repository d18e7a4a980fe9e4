"""Money is paid once: the five defects found by trying the payment flow as people would.

Each test drives the portal the way the report did (the coordinator's per-claim decision view, the
contributor's decline button, the payout's record/send buttons, a signed Stripe webhook, attendance being
corrected) and then checks the money, not the mechanism. The concurrent halves of defects 1, 2 and 5 are in
test_paid_once_concurrency.py (PostgreSQL).
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from events.factories import RegistrationFactory
from payments import services
from payments.factories import ContributorProfileFactory
from payments.models import InvolvementClaim
from payouts import services as payouts
from payouts.models import Payout, StripeAccount
from portal import audit

from .fake_stripe import FakeStripe, event_payload, sign_payload

pytestmark = pytest.mark.django_db

Status = InvolvementClaim.Status
WEBHOOK_SECRET = "whsec_test_paid_once"
ONE_HOUR = {"duration_minutes": 60}  # £27.50 under the 2025 rate: 2,750p, as in the report


@pytest.fixture
def fake_stripe(settings):
    fake = FakeStripe(response_delay=0.1).start()
    settings.STRIPE_SECRET_KEY = "sk_test_fake_paid_once"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_TIMEOUT_SECONDS = 5
    yield fake
    fake.stop()


@pytest.fixture
def bank_contributor(contributor):
    ContributorProfileFactory(user=contributor, payment_preference="bank_transfer")
    return contributor


@pytest.fixture
def stripe_contributor(contributor, fake_stripe):
    ContributorProfileFactory(user=contributor, payment_preference="stripe")
    StripeAccount.objects.create(user=contributor, account_id="acct_paid_once", payouts_enabled=True)
    return contributor


def approved(make_claim, user, coordinator, n, **fields):
    return [
        make_claim(user, status="approved", approver=coordinator, **{**ONE_HOUR, **fields}) for _ in range(n)
    ]


def run_of(coordinator, claims):
    run, _ = payouts.create_run(actor=coordinator, claim_ids=[c.pk for c in claims])
    [payout] = run.payouts.all()
    return payout


def record_form(reference="BACS-123"):
    return {
        "method": "bank_transfer",
        "paid_on": timezone.localdate().isoformat(),
        "reference": reference,
        "voucher_provider": "",
    }


def status_of(claim):
    return InvolvementClaim.objects.get(pk=claim.pk).status


def transferred_pence(fake):
    return sum(t["amount"] for t in fake.transfers.values())


# -- Defect 1: a claim inside an unpaid payout can also be marked paid by hand ------------------------


def test_marking_a_claim_paid_by_hand_is_refused_while_it_waits_in_a_payout(
    client, bank_contributor, coordinator, make_claim
):
    [claim] = approved(make_claim, bank_contributor, coordinator, 1)
    payout = run_of(coordinator, [claim])
    client.force_login(coordinator)

    response = client.post(
        reverse("payouts_admin:pay_claim", args=[claim.pk]), record_form("CASH-1"), follow=True
    )
    assert status_of(claim) == Status.APPROVED, "the payout is the only way to pay this claim now"
    assert f"payout {payout.pk}" in response.content.decode().lower()

    client.post(reverse("payouts_admin:inspect", args=[payout.pk]), record_form())
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID and payout.amount == Decimal("27.50")
    assert status_of(claim) == Status.PAID
    assert InvolvementClaim.objects.get(pk=claim.pk).payment_reference == "BACS-123"


def test_stripe_never_pays_a_claim_that_was_also_paid_by_hand(
    client, stripe_contributor, coordinator, make_claim, fake_stripe
):
    [claim] = approved(make_claim, stripe_contributor, coordinator, 1)
    payout = run_of(coordinator, [claim])
    client.force_login(coordinator)
    client.post(reverse("payouts_admin:pay_claim", args=[claim.pk]), record_form("CASH-34"))
    client.post(reverse("payouts_admin:send", args=[payout.pk]))
    # One payment for one claim: either the hand payment or the transfer, never both.
    hand_paid = InvolvementClaim.objects.get(pk=claim.pk).payment_reference == "CASH-34"
    assert transferred_pence(fake_stripe) + (2750 if hand_paid else 0) == 2750
    assert status_of(claim) == Status.PAID


# -- Defect 2: a contributor declines a claim that is already in a payout -------------------------------


def test_a_claim_declined_inside_a_recorded_payout_is_not_paid(
    client, bank_contributor, coordinator, make_claim
):
    kept, declined = approved(make_claim, bank_contributor, coordinator, 2)
    payout = run_of(coordinator, [kept, declined])
    client.force_login(bank_contributor)
    client.post(reverse("payments:claim_decline", args=[declined.pk]))
    assert status_of(declined) == Status.DECLINED

    client.force_login(coordinator)
    client.post(reverse("payouts_admin:inspect", args=[payout.pk]), record_form())
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert payout.amount == kept.total_amount, "only the claim still owed is paid"
    assert status_of(kept) == Status.PAID and status_of(declined) == Status.DECLINED


def test_stripe_does_not_transfer_money_for_a_declined_claim(
    client, stripe_contributor, coordinator, make_claim, fake_stripe
):
    kept, declined = approved(make_claim, stripe_contributor, coordinator, 2)
    payout = run_of(coordinator, [kept, declined])
    client.force_login(stripe_contributor)
    client.post(reverse("payments:claim_decline", args=[declined.pk]))

    client.force_login(coordinator)
    client.post(reverse("payouts_admin:send", args=[payout.pk]))
    assert transferred_pence(fake_stripe) == 2750, "5,500p were sent for one claim owed and one declined"
    assert status_of(kept) == Status.PAID and status_of(declined) == Status.DECLINED


# -- Defect 3: a partial reversal treated as a full one ----------------------------------------------


def reversal_event(event_id, transfer, amount_reversed):
    obj = {**transfer, "amount_reversed": amount_reversed, "reversed": amount_reversed >= transfer["amount"]}
    return event_payload(event_id, "transfer.reversed", obj)


def post_webhook(client, payload):
    return client.post(
        "/stripe/webhook/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_payload(payload, WEBHOOK_SECRET),
    )


def test_a_partial_reversal_does_not_reopen_the_claims_for_a_second_transfer(
    client, stripe_contributor, coordinator, make_claim, fake_stripe
):
    claims = approved(make_claim, stripe_contributor, coordinator, 2)
    payout = run_of(coordinator, claims)
    payouts.send_stripe_transfer(payout, actor=coordinator)
    [transfer] = fake_stripe.transfers.values()
    assert transfer["amount"] == 5500

    response = post_webhook(client, reversal_event("evt_partial_1", transfer, 1))
    assert response.status_code == 200
    assert {status_of(c) for c in claims} == {Status.PAID}, "1p back does not make £55.00 owed again"

    # The next payment run finds nothing to pay, so no second transfer is made.
    run, _ = payouts.create_run(actor=coordinator, claim_ids=[c.pk for c in claims])
    assert run is None
    assert transferred_pence(fake_stripe) == 5500
    payout.refresh_from_db()
    assert payout.status != Payout.Status.REVERSED


# -- Attendance corrected after payment ----------------------------------------------------------------


# -- What coordinators see, and what follows a reversal -------------------------------------------------


def test_a_partial_reversal_reopens_only_what_came_back_and_shows_everywhere(
    client, stripe_contributor, coordinator, make_claim, fake_stripe
):
    claims = approved(make_claim, stripe_contributor, coordinator, 2)
    payout = run_of(coordinator, claims)
    payouts.send_stripe_transfer(payout, actor=coordinator)
    [transfer] = fake_stripe.transfers.values()
    post_webhook(client, reversal_event("evt_half", transfer, 2750))
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PARTIALLY_REVERSED

    client.force_login(coordinator)
    # Reopening both would pay £55.00 again for £27.50 that came back: refused.
    both = client.post(
        reverse("payouts_admin:reopen", args=[payout.pk]), {"claims": [c.pk for c in claims]}, follow=True
    )
    assert "Only £27.50 came back" in both.content.decode()
    assert {status_of(c) for c in claims} == {Status.PAID}
    client.post(reverse("payouts_admin:reopen", args=[payout.pk]), {"claims": [claims[0].pk]})
    assert (status_of(claims[0]), status_of(claims[1])) == (Status.APPROVED, Status.PAID)

    second = run_of(coordinator, [claims[0]])
    payouts.send_stripe_transfer(second, actor=coordinator)
    assert transferred_pence(fake_stripe) - 2750 == 5500, "paid, less what came back, is what was owed"

    detail = client.get(reverse("payouts_admin:inspect", args=[payout.pk])).content.decode()
    assert "£27.50" in detail and "tr_fake" in detail and "came back" in detail
    inspect = client.get(reverse("payments_claims:inspect", args=[claims[0].pk])).content.decode()
    assert f"Payout {payout.pk}" in inspect and f"Payout {second.pk}" in inspect
    assert "Reopened" in inspect


def test_replayed_and_late_reversal_events_add_nothing(
    client, stripe_contributor, coordinator, make_claim, fake_stripe
):
    claims = approved(make_claim, stripe_contributor, coordinator, 2)
    payout = run_of(coordinator, claims)
    payouts.send_stripe_transfer(payout, actor=coordinator)
    [transfer] = fake_stripe.transfers.values()
    later = reversal_event("evt_later", transfer, 3000)
    earlier = reversal_event("evt_earlier", transfer, 1000)
    post_webhook(client, later)
    post_webhook(client, later)  # replayed
    post_webhook(client, earlier)  # older, arriving late
    assert [r.amount for r in payout.reversals.all()] == [Decimal("30.00")]


def test_attendance_corrected_after_payment_is_flagged_for_coordinators(
    paid_event, set_attendance, contributor, coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    registration = RegistrationFactory(event=paid_event, user=contributor, email=contributor.email)
    set_attendance(registration, "attended")
    claim = InvolvementClaim.objects.get(registration=registration)
    services.approve(claim, actor=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        payouts.pay_claim_by_hand(
            claim, actor=coordinator, method="bank_transfer", paid_on=timezone.localdate(), reference="B1"
        )
    set_attendance(registration, "no_show")
    assert status_of(claim) == Status.PAID
    assert any("already paid" in e.note for e in audit.trail(claim))
    assert any(coordinator.email in m.to and "attendance" in m.subject for m in mailoutbox)


def test_a_declined_claim_leaves_its_payout_with_an_audit_entry(
    client, bank_contributor, coordinator, make_claim
):
    kept, declined = approved(make_claim, bank_contributor, coordinator, 2)
    payout = run_of(coordinator, [kept, declined])
    client.force_login(bank_contributor)
    client.post(reverse("payments:claim_decline", args=[declined.pk]))
    payout.refresh_from_db()
    assert payout.amount == kept.total_amount
    item = payout.items.get(claim=declined)
    assert item.released_at is not None and "declined" in item.release_reason.lower()
    assert any(f"claim(s) {declined.pk}" in e.note for e in audit.trail(payout))


def test_a_payout_sending_through_stripe_keeps_its_claims(stripe_contributor, coordinator, make_claim):
    [claim] = approved(make_claim, stripe_contributor, coordinator, 1)
    payout = run_of(coordinator, [claim])
    Payout.objects.filter(pk=payout.pk).update(status=Payout.Status.PROCESSING)
    with pytest.raises(services.ClaimError, match="being paid right now"):
        services.mark_declined(claim, actor=stripe_contributor)
    assert status_of(claim) == Status.APPROVED
    assert payout.items.held().filter(claim=claim).exists()
