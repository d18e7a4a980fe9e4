"""The contributor's side of benefit-aware warnings, in a browser with axe: the benefit details on *How I
am paid*, and a claim page that tells them two payments are expected in one Universal Credit assessment
period, pointing to welfare-rights advice."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(transactional_db):
    from home.demo import DEMO_PASSWORD, build_page_tree, build_users
    from payments.demo import build_policy

    build_page_tree()
    build_users()
    build_policy()
    return DEMO_PASSWORD


def two_payments_in_one_period():
    """One claim paid today, another approved and in a run planned for today."""
    from accounts.models import User
    from payments import services
    from payouts import services as payouts

    person = User.objects.get(email="contributor@example.org")
    coordinator = User.objects.get(email="coordinator@example.org")
    claims = []
    for n, day in enumerate([datetime.date(2026, 1, 14), datetime.date(2026, 1, 15)]):
        claim = services.create_draft(
            contributor=person,
            data={
                "work_date": day,
                "activity_type": "meeting",
                "duration_minutes": 120,
                "project": f"Panel {n}",
            },
        )
        services.submit(claim, actor=person)
        claims.append(services.approve(claim, actor=coordinator))
    payouts.pay_claim_by_hand(
        claims[0], actor=coordinator, method="bank_transfer", paid_on=timezone.localdate(), reference="BACS-1"
    )
    payouts.create_run(actor=coordinator, claim_ids=[claims[1].pk], planned_on=timezone.localdate())
    return claims[1]


def test_benefit_details_and_the_warning_are_accessible(site, live_server, page):
    sign_in(page, live_server, "contributor@example.org", site)
    page.goto(live_server.url + "/involvement/profile/")
    expect(page.get_by_text("This is information, not advice.")).to_be_visible()
    page.get_by_label("Bank transfer arranged with the coordinator (outside the portal)").check()
    page.get_by_label("Universal Credit assessment period start day").fill("40")
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Universal Credit assessment period start day").fill(str(timezone.localdate().day))
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()

    claim = two_payments_in_one_period()
    page.goto(f"{live_server.url}/involvement/claims/{claim.pk}/")
    expect(page.get_by_text("one Universal Credit assessment period", exact=False)).to_be_visible()
    expect(page.get_by_text("welfare-rights adviser", exact=False).first).to_be_visible()
    assert_no_axe_violations(page)
