"""Coordinators in the Wagtail admin: queue, inspect, decisions (single and bulk), dashboard, reports."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from payments import expenses, tax_year
from payments.models import InvolvementClaim

Status = InvolvementClaim.Status
D = Decimal


@pytest.fixture
def two_claims(make_claim, contributor):
    first = make_claim(contributor, "submitted", project="Living well study")
    second = make_claim(
        contributor, "submitted", work_date=datetime.date(2025, 7, 2), project="Carers' voices"
    )
    return first, second


def admin_urls(claim):
    return [
        reverse("payments_claims:index"),
        reverse("payments_claims:queue"),
        reverse("payments_claims:inspect", args=[claim.pk]),
        reverse("payments_claims:reports"),
        reverse("payments_claims:reports_export", args=["csv"]),
        reverse("payments_claims:reports_export", args=["xlsx"]),
        reverse("payments_policies:index"),
        reverse("payments_versions:index"),
        reverse("payments_versions:edit", args=[claim.policy_version_id]),
        reverse("payments_contributors:index"),
    ]


def test_coordinator_reaches_every_admin_page(client, coordinator, two_claims):
    client.force_login(coordinator)
    for url in admin_urls(two_claims[0]):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["anonymous", "contributor", "editor"])
def test_others_are_kept_out_of_the_admin_claims(role, client, contributor, editor, two_claims):
    user = {"anonymous": None, "contributor": contributor, "editor": editor}[role]
    if user:
        client.force_login(user)
    for url in admin_urls(two_claims[0]):
        response = client.get(url)
        assert response.status_code in (302, 403), (url, response.status_code)
        if response.status_code == 302:
            assert "login" in response.url or response.url == reverse("wagtailadmin_home"), url
    claim = two_claims[0]
    client.post(reverse("payments_claims:decide", args=[claim.pk]), {"action": "approve"})
    assert InvolvementClaim.objects.get(pk=claim.pk).status == Status.SUBMITTED


def test_claims_have_no_add_edit_or_delete_in_the_admin(client, superuser, two_claims):
    client.force_login(superuser)
    pk = two_claims[0].pk
    for path in (
        "/admin/payments_claims/new/",
        f"/admin/payments_claims/edit/{pk}/",
        f"/admin/payments_claims/delete/{pk}/",
    ):  # noqa: F541
        assert client.get(path).status_code == 404, path


def test_inspect_shows_the_explanation_and_approve_works(client, coordinator, two_claims):
    claim = two_claims[0]
    client.force_login(coordinator)
    page = client.get(reverse("payments_claims:inspect", args=[claim.pk])).content.decode()
    assert "2 h 10 min meeting or workshop, rounded to 2 h 15 min, at £27.50/h = £61.88" in page
    response = client.post(
        reverse("payments_claims:decide", args=[claim.pk]), {"action": "approve"}, follow=True
    )
    assert "Approved:" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by, claim.total_amount) == (Status.APPROVED, coordinator, D("61.88"))
    # Second click: refused with a message, nothing changes.
    response = client.post(
        reverse("payments_claims:decide", args=[claim.pk]), {"action": "approve"}, follow=True
    )
    assert "cannot be approved" in response.content.decode()
    response = client.post(
        # The payment form on the claim's page comes from the payouts app (its claim_inspect_panels hook).
        reverse("payouts_admin:pay_claim", args=[claim.pk]),
        {"reference": "BACS 42", "method": "bank_transfer", "paid_on": "2025-08-01"},
        follow=True,
    )
    assert "Paid £61.88 by bank transfer" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.status, claim.payment_reference) == (Status.PAID, "BACS 42")
    # Paid the one way claims are paid: a payout (of one), which shows on the claim with its amount.
    [item] = claim.payout_items.all()
    assert (item.payout.status, item.payout.amount, item.payout.reference) == ("paid", D("61.88"), "BACS 42")
    page = client.get(reverse("payments_claims:inspect", args=[claim.pk])).content.decode()
    assert f"Payout {item.payout_id}" in page and "£61.88" in page


def test_reject_needs_a_reason_in_the_admin(client, coordinator, two_claims):
    claim = two_claims[0]
    client.force_login(coordinator)
    response = client.post(
        reverse("payments_claims:decide", args=[claim.pk]), {"action": "reject"}, follow=True
    )
    assert "Give a reason" in response.content.decode()
    client.post(
        reverse("payments_claims:decide", args=[claim.pk]), {"action": "reject", "reason": "Duplicate"}
    )
    claim.refresh_from_db()
    assert (claim.status, claim.decision_reason) == (Status.REJECTED, "Duplicate")


def test_self_approval_is_refused_with_a_message(client, coordinator, make_claim):
    coordinator.groups.add(Group.objects.get_or_create(name="Contributors")[0])
    claim = make_claim(coordinator, "submitted")
    client.force_login(coordinator)
    page = client.get(reverse("payments_claims:inspect", args=[claim.pk])).content.decode()
    assert "This is your own claim" in page
    response = client.post(
        reverse("payments_claims:decide", args=[claim.pk]), {"action": "approve"}, follow=True
    )
    assert "You cannot approve a claim of your own" in response.content.decode()
    assert InvolvementClaim.objects.get(pk=claim.pk).status == Status.SUBMITTED


def test_bulk_approve_and_reject_from_the_queue(client, coordinator, two_claims, make_claim, user_factory):
    first, second = two_claims
    client.force_login(coordinator)
    url = reverse("payments_claims:queue")
    response = client.post(
        url, {"claims": [first.pk], "action": "reject", "reason": "Not this project"}, follow=True
    )
    assert "Rejected 1 claim(s)." in response.content.decode()
    client.post(url, {"claims": [second.pk], "action": "approve"})
    statuses = dict(InvolvementClaim.objects.values_list("pk", "status"))
    assert statuses == {first.pk: Status.REJECTED, second.pk: Status.APPROVED}
    assert "Nothing is waiting" in client.get(url).content.decode()


def test_bulk_approval_refuses_own_claims_and_says_so(client, coordinator, two_claims, make_claim):
    coordinator.groups.add(Group.objects.get_or_create(name="Contributors")[0])
    own = make_claim(coordinator, "submitted")
    client.force_login(coordinator)
    ids = [own.pk, two_claims[0].pk]
    response = client.post(
        reverse("payments_claims:queue"), {"claims": ids, "action": "approve"}, follow=True
    )
    text = response.content.decode()
    assert "Approved 1 claim(s)." in text
    assert "You cannot approve a claim of your own" in text
    assert InvolvementClaim.objects.get(pk=own.pk).status == Status.SUBMITTED


def test_queue_filters(client, coordinator, two_claims):
    client.force_login(coordinator)
    response = client.get(reverse("payments_claims:queue"), {"project": "carers"})
    assert [c.pk for c in response.context["claims"]] == [two_claims[1].pk]
    response = client.get(
        reverse("payments_claims:index"), {"status": "submitted", "activity_type": "meeting"}
    )
    assert response.status_code == 200
    assert set(response.context["object_list"]) == set(two_claims)
    response = client.get(reverse("payments_claims:index"), {"status": "paid"})
    assert list(response.context["object_list"]) == []


def test_dashboard_flags_claims_approved_and_not_paid_in_time(
    client, coordinator, make_claim, other_contributor
):
    late = make_claim(other_contributor, "approved", approver=coordinator, project="Late one")
    InvolvementClaim.objects.filter(pk=late.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=45)
    )
    client.force_login(coordinator)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "1 approved claim not paid within the policy" in page
    assert reverse("payments_claims:inspect", args=[late.pk]) in page


def _edit_form_data(client, url):
    """The edit form's current values, as the browser would post them back."""
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[name] = value
    for formset in form.formsets.values():
        data.update({f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()})
        for i, sub in enumerate(formset.forms):
            for name in sub.fields:
                value = sub[name].value()
                if value is not None:
                    data[f"{formset.prefix}-{i}-{name}"] = value
    return data


def test_unused_policy_version_can_be_edited_in_the_admin(client, coordinator, policy_versions):
    version = policy_versions[1]
    client.force_login(coordinator)
    url = reverse("payments_versions:edit", args=[version.pk])
    data = {**_edit_form_data(client, url), "pay_within_days": 14}
    assert client.post(url, data).status_code == 302
    version.refresh_from_db()
    assert version.pay_within_days == 14


def test_locked_policy_version_cannot_be_edited_in_the_admin(client, coordinator, make_claim, contributor):
    claim = make_claim(contributor, "approved", approver=coordinator)
    version = claim.policy_version
    client.force_login(coordinator)
    url = reverse("payments_versions:edit", args=[version.pk])
    assert "it is read-only" in client.get(url).content.decode()
    data = {**_edit_form_data(client, url), "pay_within_days": 5}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "can no longer be changed" in response.content.decode()
    version.refresh_from_db()
    assert version.pay_within_days == 30


# --- Reports -----------------------------------------------------------------------------------


def test_report_figures(client, coordinator, make_claim, contributor, other_contributor):
    make_claim(
        contributor, "paid", approver=coordinator, work_date=datetime.date(2025, 4, 5)
    )  # 2024/25, £56.25
    make_claim(contributor, "approved", approver=coordinator, work_date=datetime.date(2025, 7, 1))  # £61.88
    make_claim(other_contributor, "approved", approver=coordinator, work_date=datetime.date(2025, 7, 1))
    make_claim(other_contributor, "submitted", work_date=datetime.date(2025, 7, 2))  # not counted
    from payments import reports

    data = reports.full_report()
    rows = {(r["tax_year"], r["contributor__email"]): r for r in data["per_contributor"]}
    assert rows[(2024, contributor.email)]["total"] == D("56.25")
    # Money counts in the tax year it was paid (today), not the year the work was done.
    this_year = tax_year.of(datetime.date.today())
    assert rows[(2024, contributor.email)]["paid"] == D("0.00")
    assert rows[(this_year, contributor.email)]["paid"] == D("56.25")
    assert rows[(this_year, contributor.email)]["claims"] == 0
    assert rows[(2025, contributor.email)]["total"] == D("61.88")
    assert len(rows) == 4
    assert data["per_activity"][0]["claims"] == 3
    assert [m["total"] for m in data["per_month"]] == [D("56.25"), D("123.76")]
    assert data["waiting"]["submission_to_approval"]["count"] == 3
    assert data["waiting"]["approval_to_payment"]["count"] == 1


def test_report_counts_money_paid_net_of_money_back(client, coordinator, make_claim, contributor):
    from payments import reports
    from payouts import services as payouts

    claim = make_claim(contributor, "paid", approver=coordinator, work_date=datetime.date(2025, 7, 1))
    payout = claim.payout_items.get().payout
    payouts.record_reversal(payout, amount=D("20.00"), reference="RETURNED 1", actor=coordinator)
    this_year = tax_year.of(datetime.date.today())
    [row] = [r for r in reports.full_report()["per_contributor"] if r["tax_year"] == this_year]
    assert row["paid"] == D("41.88")  # £61.88 paid, £20.00 came back
    [year] = [y for y in reports.contributor_tax_years(contributor) if y["tax_year"] == this_year]
    assert year["paid"] == D("41.88")
    client.force_login(coordinator)
    page = client.get(reverse("payments_claims:reports")).content.decode()
    assert "£41.88" in page


def test_report_sums_are_exact_pennies(make_claim, contributor, coordinator):
    # SQLite adds decimals as floating point; the report must still show 24.30, not 24.299999...
    from payments import reports, services

    for day in (1, 2, 3):
        claim = make_claim(contributor, work_date=datetime.date(2025, 7, day), duration_minutes=60)
        expenses.add_expense(claim, actor=contributor, data={"category": "mileage", "miles": D("18")})
        services.submit(claim, actor=contributor)
        services.approve(claim, actor=coordinator)
    data = reports.full_report()
    assert [str(r["expenses"]) for r in data["per_activity"]] == ["24.30"]
    assert [str(r["fees"]) for r in data["per_month"]] == ["82.50"]
    assert [str(r["total"]) for r in data["per_contributor"]] == ["106.80"]
    [year] = reports.contributor_tax_years(contributor)
    assert (str(year["earned"]), str(year["expenses"]), str(year["paid"])) == ("82.50", "24.30", "0.00")


def test_waiting_times_median_and_worst(make_claim, contributor, coordinator):
    from payments import reports

    for days, work_day in zip((2, 4, 10), (1, 2, 3), strict=True):
        claim = make_claim(
            contributor, "approved", approver=coordinator, work_date=datetime.date(2025, 7, work_day)
        )
        InvolvementClaim.objects.filter(pk=claim.pk).update(decision_wait=datetime.timedelta(days=days))
    waits = reports.waiting_times()["submission_to_approval"]
    assert (waits["median"], waits["worst"]) == (4.0, 10.0)


def _bulk_claims(n, users, version):
    claims = []
    for i in range(n):
        claims.append(
            InvolvementClaim(
                contributor=users[i % len(users)],
                work_date=datetime.date(2024, 4, 1) + datetime.timedelta(days=i % 700),
                activity_type=["meeting", "reviewing", "fieldwork"][i % 3],
                duration_minutes=60 + i % 120,
                project="Bulk",
                status=[Status.APPROVED, Status.PAID, Status.SUBMITTED][i % 3],
                policy_version=version,
                fee_amount=D("25.00"),
                total_amount=D("25.00"),
                tax_year=tax_year.of(datetime.date(2024, 4, 1) + datetime.timedelta(days=i % 700)),
                submitted_at=timezone.now() - datetime.timedelta(days=10 + i % 5),
                decided_at=timezone.now() - datetime.timedelta(days=i % 7),
                paid_at=timezone.now(),
                decision_wait=datetime.timedelta(days=10 + i % 5 - i % 7),
                payment_wait=datetime.timedelta(days=i % 7),
            )
        )
    InvolvementClaim.objects.bulk_create(claims)


def test_reports_take_a_constant_number_of_queries(
    client, coordinator, policy_versions, user_factory, django_assert_num_queries
):
    from payments import exports, reports

    users = [user_factory(email=f"bulk{i}@example.org", groups=["Contributors"]) for i in range(5)]
    _bulk_claims(6, users, policy_versions[0])
    # 11 over claims (2 of them per role and per opportunity), 2 over money paid (payouts, and money
    # that came back).
    with django_assert_num_queries(13) as few:
        reports.full_report()
    _bulk_claims(600, users, policy_versions[0])
    with django_assert_num_queries(len(few.captured_queries)):
        data = reports.full_report()
    assert sum(r["claims"] for r in data["per_activity"]) == 404
    with django_assert_num_queries(len(few.captured_queries)):
        exports.report_tables()


def test_xlsx_export_has_the_report_tables(client, coordinator, make_claim, contributor):
    make_claim(contributor, "approved", approver=coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("payments_claims:reports_export", args=["xlsx"]))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Per contributor",
        "Per role",
        "Per opportunity",
        "Per activity",
        "Per month",
        "Waiting times",
    ]
    assert workbook["Per contributor"]["G2"].value == 61.88
    csv_text = client.get(reverse("payments_claims:reports_export", args=["csv"])).content.decode()
    assert "Per month" in csv_text and "61.88" in csv_text
    assert client.get(reverse("payments_claims:reports_export", args=["pdf"])).status_code == 404


def test_claim_listings_do_not_grow_queries_with_claims(
    client, coordinator, policy_versions, user_factory, django_assert_max_num_queries
):
    users = [user_factory(email=f"list{i}@example.org", groups=["Contributors"]) for i in range(5)]
    _bulk_claims(3, users, policy_versions[0])
    client.force_login(coordinator)
    urls = [reverse("payments_claims:index"), reverse("payments_claims:queue")]
    counts = []
    for url in urls:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    _bulk_claims(60, users, policy_versions[0])
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            client.get(url)
