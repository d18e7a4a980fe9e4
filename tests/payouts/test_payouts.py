"""Payouts against a local fake Stripe server: every fault ends consistent and never pays twice."""

import datetime
from decimal import Decimal

import pytest

from payments.factories import ContributorProfileFactory
from payments.models import InvolvementClaim
from payouts import services as payouts
from payouts import stripe_gateway
from payouts.models import Payout, PayoutItem, StripeAccount
from portal import audit

from .fake_stripe import FakeStripe

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_stripe(settings):
    fake = FakeStripe(response_delay=2.5).start()
    settings.STRIPE_SECRET_KEY = "sk_test_fake_for_tests"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_fake"
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_TIMEOUT_SECONDS = 1
    yield fake
    fake.stop()


@pytest.fixture
def stripe_contributor(contributor, fake_stripe):
    ContributorProfileFactory(user=contributor, payment_preference="stripe")
    StripeAccount.objects.create(user=contributor, account_id="acct_fake_ready", payouts_enabled=True)
    return contributor


@pytest.fixture
def approved_claims(make_claim, coordinator):
    def make(user, n=2, **fields):
        return [make_claim(user, status="approved", approver=coordinator, **fields) for _ in range(n)]

    return make


def run_for(user, coordinator, approved_claims, n=2):
    claims = approved_claims(user, n=n)
    run, skipped = payouts.create_run(actor=coordinator, claim_ids=[c.pk for c in claims])
    return run.payouts.get(contributor=user), claims


def claim_statuses(claims):
    return {InvolvementClaim.objects.get(pk=c.pk).status for c in claims}


def test_transfer_request_carries_amount_currency_destination_metadata_and_key(
    stripe_contributor,
    coordinator,
    approved_claims,
    fake_stripe,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    payout, claims = run_for(stripe_contributor, coordinator, approved_claims)
    assert payout.method == Payout.Method.STRIPE
    expected_pence = int(payout.amount * 100)
    assert payout.amount == sum((c.total_amount for c in claims), Decimal("0"))

    with django_capture_on_commit_callbacks(execute=True):
        payouts.send_stripe_transfer(payout, actor=coordinator)

    [request] = fake_stripe.transfer_requests()
    assert request["params"]["amount"] == str(expected_pence)
    assert request["params"]["currency"] == "gbp"
    assert request["params"]["destination"] == "acct_fake_ready"
    assert request["params"]["metadata"] == {"payout_id": str(payout.pk)}
    assert request["idempotency_key"] == f"portal-payout-{payout.pk}-attempt-1"
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert payout.stripe_transfer_id.startswith("tr_fake")
    assert claim_statuses(claims) == {"paid"}
    assert [m.to for m in mailoutbox] == [[stripe_contributor.email]]
    assert "£" in mailoutbox[0].body and str(payout.amount) in mailoutbox[0].body


def test_idempotency_key_is_deterministic_from_the_payout(stripe_contributor, coordinator, approved_claims):
    payout, _ = run_for(stripe_contributor, coordinator, approved_claims)
    again = Payout.objects.get(pk=payout.pk)
    assert payout.idempotency_key == again.idempotency_key == f"portal-payout-{payout.pk}-attempt-1"


@pytest.mark.parametrize(
    "fault, code",
    [("402", "card_declined"), ("400", "balance_insufficient"), ("400-account", "account_invalid")],
)
def test_definite_refusals_fail_the_payout_and_a_retry_pays_once(
    fault, code, stripe_contributor, coordinator, approved_claims, fake_stripe
):
    payout, claims = run_for(stripe_contributor, coordinator, approved_claims)
    fake_stripe.fail_next_transfer(fault)
    payouts.send_stripe_transfer(payout, actor=coordinator)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.FAILED
    assert payout.failure_reason
    assert payout.attempt == 2, "a definite refusal means a new attempt (and key) next time"
    assert claim_statuses(claims) == {"approved"}
    assert fake_stripe.transfers == {}

    payouts.send_stripe_transfer(payout, actor=coordinator)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert len(fake_stripe.transfers) == 1
    keys = [r["idempotency_key"] for r in fake_stripe.transfer_requests()]
    assert keys == [f"portal-payout-{payout.pk}-attempt-1", f"portal-payout-{payout.pk}-attempt-2"]
    assert claim_statuses(claims) == {"paid"}


@pytest.mark.parametrize("fault", ["429", "500"])
def test_unknown_outcomes_stay_processing_and_the_retry_reuses_the_key(
    fault, stripe_contributor, coordinator, approved_claims, fake_stripe
):
    payout, claims = run_for(stripe_contributor, coordinator, approved_claims)
    fake_stripe.fail_next_transfer(fault)
    payouts.send_stripe_transfer(payout, actor=coordinator)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PROCESSING
    assert payout.failure_reason
    assert claim_statuses(claims) == {"approved"}

    payouts.send_stripe_transfer(payout, actor=coordinator)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert len(fake_stripe.transfers) == 1
    keys = {r["idempotency_key"] for r in fake_stripe.transfer_requests()}
    assert keys == {f"portal-payout-{payout.pk}-attempt-1"}


@pytest.mark.parametrize("fault", ["timeout", "drop_after_accept"])
def test_transfer_made_but_answer_lost_is_never_paid_twice(
    fault, stripe_contributor, coordinator, approved_claims, fake_stripe
):
    payout, claims = run_for(stripe_contributor, coordinator, approved_claims)
    fake_stripe.fail_next_transfer(fault)
    payouts.send_stripe_transfer(payout, actor=coordinator)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PROCESSING, "the outcome is unknown, so it cannot be failed"
    assert len(fake_stripe.transfers) == 1, "Stripe did make the transfer"

    # The retry button, then the reconciler: both find the transfer; neither creates another.
    payouts.send_stripe_transfer(payout, actor=coordinator)
    payouts.reconcile(payout)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert payout.stripe_transfer_id == next(iter(fake_stripe.transfers))
    assert len(fake_stripe.transfers) == 1
    assert claim_statuses(claims) == {"paid"}


def test_crash_after_processing_is_settled_by_reconcile_command(
    stripe_contributor, coordinator, approved_claims, fake_stripe
):
    from django.core.management import call_command

    payout, claims = run_for(stripe_contributor, coordinator, approved_claims)
    # The process died after committing `processing` and after Stripe made the transfer.
    Payout.objects.filter(pk=payout.pk).update(
        status=Payout.Status.PROCESSING, updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    stripe_gateway.create_transfer(
        amount_pence=payout.amount_pence,
        destination="acct_fake_ready",
        payout_id=payout.pk,
        idempotency_key=payout.idempotency_key,
    )
    call_command("reconcile_payouts", verbosity=0)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert len(fake_stripe.transfers) == 1
    assert claim_statuses(claims) == {"paid"}


def test_crash_before_stripe_heard_of_it_is_sent_once_by_reconcile(
    stripe_contributor, coordinator, approved_claims, fake_stripe
):
    from django.core.management import call_command

    payout, claims = run_for(stripe_contributor, coordinator, approved_claims)
    Payout.objects.filter(pk=payout.pk).update(
        status=Payout.Status.PROCESSING, updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    call_command("reconcile_payouts", verbosity=0)
    call_command("reconcile_payouts", verbosity=0)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert len(fake_stripe.transfers) == 1


def test_double_click_sends_one_transfer(stripe_contributor, coordinator, approved_claims, fake_stripe):
    payout, _ = run_for(stripe_contributor, coordinator, approved_claims)
    payouts.send_stripe_transfer(payout, actor=coordinator)
    payouts.send_stripe_transfer(payout, actor=coordinator)
    assert len(fake_stripe.transfer_requests()) == 1


def test_stripe_method_needs_configuration_and_a_ready_account(
    contributor, coordinator, approved_claims, settings
):
    settings.STRIPE_SECRET_KEY = ""
    ContributorProfileFactory(user=contributor, payment_preference="stripe")
    StripeAccount.objects.create(user=contributor, account_id="acct_x", payouts_enabled=True)
    payout, _ = run_for(contributor, coordinator, approved_claims)
    assert payout.method == Payout.Method.BANK_TRANSFER


def test_onboarding_creates_one_account_and_returns_the_link(contributor, fake_stripe):
    url = payouts.start_onboarding(contributor, refresh_url="http://x/refresh", return_url="http://x/return")
    assert url.startswith("https://connect.stripe.com/setup/")
    again = payouts.start_onboarding(
        contributor, refresh_url="http://x/refresh", return_url="http://x/return"
    )
    assert again.startswith("https://connect.stripe.com/setup/")
    assert StripeAccount.objects.filter(user=contributor).count() == 1
    creates = [r for r in fake_stripe.requests if r["path"] == "/v1/accounts" and r["method"] == "POST"]
    assert len(creates) == 1
    assert creates[0]["params"]["capabilities"] == {"transfers": {"requested": "true"}}
    account = StripeAccount.objects.get(user=contributor)
    refreshed = payouts.refresh_account(account)
    assert refreshed.payouts_enabled is False
    assert "individual.dob.day" in refreshed.requirements_due


# -- manual methods -----------------------------------------------------------------------------


def test_bank_transfer_recorded_by_coordinator(contributor, coordinator, approved_claims):
    ContributorProfileFactory(user=contributor, payment_preference="bank_transfer")
    payout, claims = run_for(contributor, coordinator, approved_claims)
    assert payout.method == Payout.Method.BANK_TRANSFER
    with pytest.raises(payouts.PayoutError, match="reference"):
        payouts.record_manual_payment(payout, actor=coordinator, paid_on=datetime.date.today(), reference=" ")
    with pytest.raises(payouts.PayoutError, match="future"):
        payouts.record_manual_payment(
            payout,
            actor=coordinator,
            paid_on=datetime.date.today() + datetime.timedelta(days=2),
            reference="BACS 1",
        )
    payouts.record_manual_payment(
        payout, actor=coordinator, paid_on=datetime.date.today(), reference="BACS 12345"
    )
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID and payout.reference == "BACS 12345"
    assert claim_statuses(claims) == {"paid"}
    with pytest.raises(payouts.PayoutError):
        payouts.record_manual_payment(
            payout, actor=coordinator, paid_on=datetime.date.today(), reference="again"
        )
    assert [e.to_status for e in audit.trail(payout)] == [
        "pending",
        "paid",
    ]


def test_voucher_and_declined_and_donated(user_factory, coordinator, approved_claims):
    voucher_user = user_factory(email="v@example.org", groups=["Contributors"])
    decline_user = user_factory(email="d@example.org", groups=["Contributors"])
    charity_user = user_factory(email="c@example.org", groups=["Contributors"])
    ContributorProfileFactory(user=voucher_user, payment_preference="voucher")
    ContributorProfileFactory(user=decline_user, payment_preference="decline")
    ContributorProfileFactory(user=charity_user, payment_preference="charity", charity_name="Mind")
    claims = (
        approved_claims(voucher_user, 1) + approved_claims(decline_user, 1) + approved_claims(charity_user, 1)
    )
    run, _ = payouts.create_run(actor=coordinator, claim_ids=[c.pk for c in claims])
    by_user = {p.contributor_id: p for p in run.payouts.all()}
    assert by_user[voucher_user.pk].method == "voucher"
    assert by_user[decline_user.pk].method == "declined"
    assert by_user[charity_user.pk].method == "donated" and by_user[charity_user.pk].charity_name == "Mind"

    payouts.record_manual_payment(
        by_user[voucher_user.pk],
        actor=coordinator,
        paid_on=datetime.date.today(),
        reference="V-889",
        voucher_provider="Love2Shop",
    )
    payouts.close_without_payment(by_user[decline_user.pk], actor=coordinator)
    payouts.close_without_payment(by_user[charity_user.pk], actor=coordinator)
    with pytest.raises(payouts.PayoutError):
        payouts.close_without_payment(by_user[voucher_user.pk], actor=coordinator)
    assert InvolvementClaim.objects.get(pk=claims[0].pk).status == "paid"
    assert InvolvementClaim.objects.get(pk=claims[1].pk).status == "declined"
    assert InvolvementClaim.objects.get(pk=claims[2].pk).status == "declined"
    assert Payout.objects.get(pk=by_user[charity_user.pk].pk).status == "closed"
    assert any("Mind" in e.note for e in audit.trail(claims[2]))


def test_lower_amount_preference_lowers_the_fee_not_the_expenses(contributor, coordinator, approved_claims):
    ContributorProfileFactory(
        user=contributor, payment_preference="lower_amount", lower_amount=Decimal("10.00")
    )
    payout, claims = run_for(contributor, coordinator, approved_claims, n=1)
    item = PayoutItem.objects.get(payout=payout)
    assert item.fee_amount == Decimal("10.00")
    assert payout.amount == Decimal("10.00") + claims[0].expenses_amount
    assert "lowered" in item.note


# -- runs ---------------------------------------------------------------------------------------


def test_run_is_idempotent_and_never_includes_a_claim_twice(contributor, coordinator, approved_claims):
    claims = approved_claims(contributor, n=3)
    ids = [c.pk for c in claims]
    run, skipped = payouts.create_run(actor=coordinator, claim_ids=ids)
    assert run is not None and PayoutItem.objects.count() == 3
    again, skipped = payouts.create_run(actor=coordinator, claim_ids=ids)
    assert again is None
    assert {reason for _pk, reason in skipped} == {"Already in a payout."}
    assert PayoutItem.objects.count() == 3


def test_only_coordinators_run_payments_and_never_for_themselves(
    contributor, coordinator, user_factory, approved_claims, make_claim
):
    claims = approved_claims(contributor, n=1)
    with pytest.raises(payouts.PayoutError):
        payouts.create_run(actor=contributor, claim_ids=[c.pk for c in claims])
    other = user_factory(email="coord2@example.org", groups=["Coordinators"])
    own = make_claim(coordinator, status="approved", approver=other)
    run, skipped = payouts.create_run(actor=coordinator, claim_ids=[own.pk, claims[0].pk])
    assert [p.contributor_id for p in run.payouts.all()] == [contributor.pk]
    assert skipped[0][1].startswith("Your own claims")


def test_preview_groups_per_contributor_and_method(
    contributor, other_contributor, coordinator, approved_claims
):
    ContributorProfileFactory(user=other_contributor, payment_preference="voucher")
    claims = approved_claims(contributor, n=2) + approved_claims(other_contributor, n=1)
    plans, skipped = payouts.preview_run(
        InvolvementClaim.objects.filter(pk__in=[c.pk for c in claims]), actor=coordinator
    )
    assert {(p["contributor"].pk, p["method"], p["claim_count"]) for p in plans} == {
        (contributor.pk, "bank_transfer", 2),
        (other_contributor.pk, "voucher", 1),
    }
    assert Payout.objects.count() == 0, "a preview writes nothing"
