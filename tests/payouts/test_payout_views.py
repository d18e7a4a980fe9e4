"""Who may see and do what with payouts: anonymous, contributor, other contributor, editor, coordinator."""

import datetime

import pytest
from django.urls import reverse

from payments.factories import ContributorProfileFactory
from payouts import services as payouts
from payouts.models import Payout, StripeAccount

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_payout(contributor, coordinator, make_claim):
    ContributorProfileFactory(user=contributor, payment_preference="bank_transfer")
    claims = [make_claim(contributor, status="approved", approver=coordinator) for _ in range(2)]
    run, _ = payouts.create_run(actor=coordinator, claim_ids=[c.pk for c in claims])
    payout = run.payouts.get()
    payouts.record_manual_payment(
        payout, actor=coordinator, paid_on=datetime.date.today(), reference="BACS-77"
    )
    payout.refresh_from_db()
    return payout


def test_contributor_sees_own_payouts_with_breakdown(client, contributor, paid_payout):
    client.force_login(contributor)
    listing = client.get(reverse("payouts:list"))
    assert listing.status_code == 200
    assert f"£{paid_payout.amount}".encode() in listing.content
    detail = client.get(reverse("payouts:detail", args=[paid_payout.pk]))
    assert detail.status_code == 200
    assert b"BACS-77" in detail.content and b"Expenses repaid" in detail.content


def test_other_contributor_gets_404_for_someone_elses_payout(client, other_contributor, paid_payout):
    client.force_login(other_contributor)
    assert client.get(reverse("payouts:detail", args=[paid_payout.pk])).status_code == 404
    assert str(paid_payout.amount).encode() not in client.get(reverse("payouts:list")).content


def test_anonymous_is_sent_to_sign_in(client, paid_payout):
    for url in (reverse("payouts:list"), reverse("payouts:detail", args=[paid_payout.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"]


ADMIN_URLS = ["payouts_admin:index", "payouts_admin:run"]


@pytest.mark.parametrize("name", ADMIN_URLS)
def test_admin_payout_pages_are_for_coordinators_only(
    client, name, contributor, editor, coordinator, paid_payout
):
    url = reverse(name)
    assert client.get(url).status_code == 302  # anonymous: to the admin sign-in
    client.force_login(contributor)
    assert client.get(url).status_code in (302, 403)
    client.force_login(editor)
    denied = client.get(url)
    # The Wagtail admin turns PermissionDenied into a redirect to the dashboard with a message.
    assert denied.status_code == 403 or (denied.status_code == 302 and denied["Location"] == "/admin/")
    client.force_login(coordinator)
    assert client.get(url).status_code == 200


def test_only_coordinators_record_payments_and_create_runs(
    client, editor, contributor, coordinator, make_claim
):
    claim = make_claim(contributor, status="approved", approver=coordinator)
    run_url = reverse("payouts_admin:run")
    for user in (editor, contributor):
        client.force_login(user)
        client.post(run_url, {"claims": [claim.pk], "action": "confirm"})
    assert Payout.objects.count() == 0
    client.force_login(coordinator)
    preview = client.post(run_url, {"claims": [claim.pk], "action": "preview"})
    assert preview.status_code == 200 and b"Confirm payment run" in preview.content
    assert Payout.objects.count() == 0
    response = client.post(run_url, {"claims": [claim.pk], "action": "confirm"})
    assert response.status_code == 302
    payout = Payout.objects.get()
    record_url = reverse("payouts_admin:inspect", args=[payout.pk])
    client.force_login(editor)
    denied = client.post(record_url, {"method": "bank_transfer", "paid_on": "2026-01-01", "reference": "X"})
    assert denied.status_code == 403 or denied["Location"] == "/admin/"
    payout.refresh_from_db()
    assert payout.status == "pending"
    client.force_login(coordinator)
    bad = client.post(record_url, {"method": "bank_transfer", "paid_on": "", "reference": ""})
    assert bad.status_code == 400 and b"This field is required" in bad.content
    ok = client.post(
        record_url,
        {"method": "bank_transfer", "paid_on": datetime.date.today().isoformat(), "reference": "BACS-1"},
    )
    assert ok.status_code == 302
    payout.refresh_from_db()
    assert payout.status == "paid"


def test_stripe_setup_hidden_without_keys_and_redirects_to_stripe_with_them(client, contributor, settings):
    settings.STRIPE_SECRET_KEY = ""
    client.force_login(contributor)
    assert b"Set up payments with Stripe" not in client.get(reverse("payouts:list")).content
    response = client.post(reverse("payouts:stripe_setup"))
    assert response.status_code == 302 and response["Location"] == reverse("payouts:list")
    assert not StripeAccount.objects.exists()


def test_stripe_onboarding_round_trip(client, contributor, settings):
    from .fake_stripe import FakeStripe

    fake = FakeStripe().start()
    try:
        settings.STRIPE_SECRET_KEY = "sk_test_fake"
        settings.STRIPE_API_BASE = fake.url
        client.force_login(contributor)
        assert b"Set up payments with Stripe" in client.get(reverse("payouts:list")).content
        response = client.post(reverse("payouts:stripe_setup"))
        assert response.status_code == 302 and response["Location"].startswith("https://connect.stripe.com/")
        account = StripeAccount.objects.get(user=contributor)
        fake.accounts[account.account_id]["payouts_enabled"] = True
        fake.accounts[account.account_id]["requirements"] = {"currently_due": []}
        response = client.get(reverse("payouts:stripe_return"), follow=True)
        assert b"Your Stripe account is ready" in response.content
        account.refresh_from_db()
        assert account.payouts_enabled
    finally:
        fake.stop()


def test_test_mode_banner_only_with_test_keys(client, coordinator, settings):
    client.force_login(coordinator)
    settings.STRIPE_SECRET_KEY = "sk_test_abc"
    assert b"Stripe test mode" in client.get(reverse("payouts_admin:index")).content
    assert b"Stripe test mode" in client.get("/admin/").content
    settings.STRIPE_SECRET_KEY = "sk_live_abc"
    assert b"Stripe test mode" not in client.get("/admin/").content


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm per-process caches (site, settings, content types) as a running server has them
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_payout_listings_use_a_constant_number_of_queries(client, contributor, coordinator, make_claim):
    ContributorProfileFactory(user=contributor, payment_preference="bank_transfer")

    def add_payout():
        claims = [make_claim(contributor, status="approved", approver=coordinator) for _ in range(2)]
        payouts.create_run(actor=coordinator, claim_ids=[c.pk for c in claims])

    add_payout()
    client.force_login(contributor)
    # The site's first request creates its settings rows, a change that empties the shared cache.
    client.get(reverse("payouts:list"))
    few_contributor = _count_queries(client, reverse("payouts:list"))
    client.force_login(coordinator)
    few_admin = _count_queries(client, reverse("payouts_admin:index"))
    for _ in range(4):
        add_payout()
    client.force_login(contributor)
    assert _count_queries(client, reverse("payouts:list")) == few_contributor
    client.force_login(coordinator)
    assert _count_queries(client, reverse("payouts_admin:index")) == few_admin


def test_my_involvement_shows_each_payout_and_the_menu_links_to_it(
    client, contributor, paid_payout, home_page
):
    client.force_login(contributor)
    page = client.get(reverse("payments:my_involvement"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "My payments" in html
    assert reverse("payouts:detail", args=[paid_payout.pk]) in html
    assert f"£{paid_payout.amount}" in html
    home = client.get("/")
    assert b">My involvement</a>" in home.content
