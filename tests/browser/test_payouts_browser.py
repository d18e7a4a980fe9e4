import datetime
import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def approved_claim(transactional_db, user_factory):
    from home.demo import build_page_tree
    from payments import services
    from payments.factories import ContributorProfileFactory, build_policy

    build_page_tree()
    build_policy(datetime.date(2024, 4, 1), "27.50")
    contributor = user_factory(
        email="pat@example.org", first_name="Pat", last_name="Jones", groups=["Contributors"]
    )
    coordinator = user_factory(email="cora@example.org", groups=["Coordinators"])
    approver = user_factory(email="approver@example.org", groups=["Coordinators"])
    ContributorProfileFactory(user=contributor, display_name="Pat", payment_preference="bank_transfer")
    claim = services.create_draft(
        contributor=contributor,
        data={
            "work_date": datetime.date(2025, 7, 1),
            "activity_type": "meeting",
            "duration_minutes": 130,
            "preparation_minutes": 0,
            "project": "Living well study",
        },
    )
    services.submit(claim, actor=contributor)
    services.approve(claim, actor=approver)
    return contributor, coordinator, claim


def test_coordinator_pays_by_bank_transfer_and_contributor_sees_it(approved_claim, live_server, browser):
    contributor, coordinator, claim = approved_claim
    claim.refresh_from_db()

    admin = browser.new_context().new_page()
    sign_in(admin, live_server, coordinator.email)
    admin.goto(f"{live_server.url}/admin/payouts/run/")
    expect(admin.get_by_text("1 approved claim(s) waiting to be paid")).to_be_visible()
    admin.get_by_role("button", name="Preview payment run").click()
    expect(admin.get_by_role("cell", name="Bank transfer (recorded)")).to_be_visible()
    admin.get_by_role("button", name="Confirm payment run").click()
    expect(admin.get_by_text(re.compile(r"Payment run \d+ created with 1 payout"))).to_be_visible()
    admin.get_by_role("link", name=re.compile(r"^Payout \d+$")).click()
    admin.get_by_label("Bank reference or voucher code reference").fill("BACS-2026-001")
    admin.get_by_role("button", name="Record payment").click()
    expect(admin.get_by_text("Payment recorded")).to_be_visible()
    admin.context.close()

    page = browser.new_context().new_page()
    sign_in(page, live_server, contributor.email)
    page.goto(f"{live_server.url}/involvement/payouts/")
    expect(page.get_by_role("cell", name=f"£{claim.total_amount}").last).to_be_visible()
    expect(page.get_by_text("Paid on")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="payment").first.click()
    expect(page.get_by_text("BACS-2026-001", exact=True)).to_be_visible()
    assert_no_axe_violations(page)
    page.context.close()
