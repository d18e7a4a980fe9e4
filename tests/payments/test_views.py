"""Contributor pages: the flow, receipts privacy, the statement, and the permission matrix."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payments import expenses, tax_year
from payments.models import ClaimExpense, ContributorProfile, InvolvementClaim

Status = InvolvementClaim.Status
D = Decimal
FORM = {
    "work_date": "2025-07-01",
    "activity_type": "meeting",
    "hours": "2",
    "minutes": "10",
    "preparation_hours": "0",
    "preparation_minutes": "0",
    "project": "Living well study",
    "notes": "",
}


@pytest.fixture
def claim_with_receipt(make_claim, contributor):
    claim = make_claim(contributor, "submitted")
    receipt = SimpleUploadedFile("ticket.pdf", b"%PDF-1.4 train ticket", content_type="application/pdf")
    expense = expenses.add_expense(
        claim, actor=contributor, data={"category": "travel", "amount": D("24.60"), "receipt": receipt}
    )
    return claim, expense


def test_preview_shows_the_explanation_without_saving(client, contributor, policy_versions):
    client.force_login(contributor)
    response = client.post(reverse("payments:claim_create"), {**FORM, "action": "preview"})
    assert response.status_code == 200
    assert (
        "2 h 10 min meeting or workshop, rounded to 2 h 15 min, at £27.50/h = £61.88"
        in response.content.decode()
    )
    assert not InvolvementClaim.objects.exists()


def test_record_submit_edit_withdraw(client, contributor, policy_versions):
    client.force_login(contributor)
    response = client.post(reverse("payments:claim_create"), {**FORM, "action": "save"})
    claim = InvolvementClaim.objects.get()
    assert response.url == reverse("payments:claim_detail", args=[claim.pk])
    assert claim.status == Status.DRAFT and claim.duration_minutes == 130
    page = client.get(response.url).content.decode()
    assert "£61.88" in page and "Submit claim" in page
    client.post(reverse("payments:claim_submit", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED
    # Edit while submitted: the amount is worked out again and the claim stays submitted.
    client.post(
        reverse("payments:claim_edit", args=[claim.pk]),
        {**FORM, "hours": "1", "minutes": "0", "action": "save"},
    )
    claim.refresh_from_db()
    assert (claim.status, claim.fee_amount) == (Status.SUBMITTED, D("27.50"))
    client.post(reverse("payments:claim_withdraw", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == Status.DRAFT


def test_refused_input_is_shown_in_the_form(client, contributor, policy_versions):
    client.force_login(contributor)
    response = client.post(
        reverse("payments:claim_create"), {**FORM, "hours": "0", "minutes": "0", "action": "save"}
    )
    assert "more than zero minutes" in response.content.decode()
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = client.post(reverse("payments:claim_create"), {**FORM, "work_date": future, "action": "save"})
    assert "cannot be in the future" in response.content.decode()
    response = client.post(
        reverse("payments:claim_create"), {**FORM, "work_date": "2019-01-01", "action": "save"}
    )
    assert "does not cover work done" in response.content.decode()
    assert not InvolvementClaim.objects.exists()


def test_second_submit_shows_a_message_not_an_error(client, contributor, make_claim):
    claim = make_claim(contributor, "submitted")
    client.force_login(contributor)
    response = client.post(reverse("payments:claim_submit", args=[claim.pk]), follow=True)
    assert "so it cannot be submitted" in response.content.decode()


def test_preview_shows_limit_warnings(client, contributor, policy_versions):
    ContributorProfile.objects.create(user=contributor, display_name="C", weekly_limit=D("50.00"))
    client.force_login(contributor)
    response = client.post(reverse("payments:claim_create"), {**FORM, "action": "preview"})
    assert "more than the limit of £50.00" in response.content.decode()


def test_totals_per_tax_year(client, contributor, coordinator, make_claim):
    make_claim(
        contributor, "paid", approver=coordinator, work_date=datetime.date(2025, 4, 5)
    )  # 2024/25 at £25
    make_claim(contributor, "approved", approver=coordinator, work_date=datetime.date(2025, 7, 1))  # 2025/26
    make_claim(contributor, "submitted", work_date=datetime.date(2025, 7, 2))
    client.force_login(contributor)
    response = client.get(reverse("payments:my_involvement"))
    years = {row["label"]: row for row in response.context["tax_years"]}
    # Money counts in the tax year it was paid (today); the work counts in the year it was done.
    this_year = tax_year.label(tax_year.of(datetime.date.today()))
    assert years[this_year]["paid"] == D("56.25")
    assert years["2024–25"]["paid"] == D("0.00") and years["2024–25"]["earned"] == D("56.25")
    assert years["2025–26"]["earned"] == D("61.88")
    assert years["2025–26"]["waiting"] == D("61.88")


def test_statement_csv_lists_only_my_claims(client, contributor, other_contributor, make_claim):
    make_claim(contributor, "submitted", project="=HYPERLINK(evil)")
    make_claim(other_contributor, "submitted", project="Someone else")
    client.force_login(contributor)
    response = client.get(reverse("payments:statement_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Date" and len(rows) == 2
    assert rows[1][2] == "'=HYPERLINK(evil)"
    assert rows[1][8] == "61.88"
    assert response["Content-Disposition"].startswith("attachment")
    assert (
        len(
            list(
                csv.reader(
                    io.StringIO(
                        client.get(reverse("payments:statement_csv") + "?tax_year=2020").content.decode()
                    )
                )
            )
        )
        == 1
    )


def test_profile_saves_payment_preference(client, contributor):
    client.force_login(contributor)
    response = client.post(
        reverse("payments:profile"),
        {"display_name": "Chris", "payment_preference": "charity", "charity_name": ""},
    )
    assert "Name the charity" in response.content.decode()
    client.post(
        reverse("payments:profile"),
        {"display_name": "Chris", "payment_preference": "charity", "charity_name": "Mind"},
    )
    assert contributor.contributor_profile.charity_name == "Mind"


def test_expense_with_receipt_is_stored_privately(claim_with_receipt, settings):
    claim, expense = claim_with_receipt
    assert expense.receipt.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not expense.receipt.path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        expense.receipt.url  # noqa: B018 - private files have no public URL
    claim.refresh_from_db()
    assert claim.expenses_amount == D("24.60")


def test_expense_form_refuses_other_file_types(client, contributor, make_claim):
    claim = make_claim(contributor)
    client.force_login(contributor)
    response = client.post(
        reverse("payments:expense_add", args=[claim.pk]),
        {"category": "travel", "amount": "5", "receipt": SimpleUploadedFile("x.exe", b"MZ")},
    )
    assert response.status_code == 400
    assert not ClaimExpense.objects.exists()


# --- Permission matrix -------------------------------------------------------------------------

ROLES = ["anonymous", "owner", "other_contributor", "editor", "coordinator"]


@pytest.fixture
def actors(contributor, other_contributor, editor, coordinator):
    return {
        "anonymous": None,
        "owner": contributor,
        "other_contributor": other_contributor,
        "editor": editor,
        "coordinator": coordinator,
    }


def urls(claim, expense):
    """(name, method, url, expected per role) for every payments URL."""
    pk = claim.pk
    ok_own = {"owner": 200, "other_contributor": 200, "editor": 403, "coordinator": 403}
    claim_only = {"owner": 200, "other_contributor": 404, "editor": 403, "coordinator": 403}
    post_own = {"owner": 302, "other_contributor": 404, "editor": 403, "coordinator": 403}
    return [
        ("my_involvement", "get", reverse("payments:my_involvement"), ok_own),
        ("claim_create", "get", reverse("payments:claim_create"), ok_own),
        ("statement_csv", "get", reverse("payments:statement_csv"), ok_own),
        ("profile", "get", reverse("payments:profile"), ok_own),
        ("claim_detail", "get", reverse("payments:claim_detail", args=[pk]), claim_only),
        ("claim_edit", "get", reverse("payments:claim_edit", args=[pk]), claim_only),
        (
            "receipt_download",
            "get",
            reverse("payments:receipt_download", args=[expense.pk]),
            {"owner": 200, "other_contributor": 404, "editor": 404, "coordinator": 200},
        ),
        ("claim_submit", "post", reverse("payments:claim_submit", args=[pk]), post_own),
        ("claim_withdraw", "post", reverse("payments:claim_withdraw", args=[pk]), post_own),
        ("claim_decline", "post", reverse("payments:claim_decline", args=[pk]), post_own),
        ("expense_add", "post", reverse("payments:expense_add", args=[pk]), {**post_own, "owner": 400}),
        ("expense_remove", "post", reverse("payments:expense_remove", args=[expense.pk]), post_own),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role, actors, claim_with_receipt, client):
    claim, expense = claim_with_receipt
    status_before = InvolvementClaim.objects.get(pk=claim.pk).status
    user = actors[role]
    if user is not None:
        client.force_login(user)
    for name, method, url, expected in urls(claim, expense):
        response = getattr(client, method)(url)
        if role == "anonymous":
            assert response.status_code == 302, name
            assert response.url.startswith(reverse("accounts:login")), name
        else:
            assert response.status_code == expected[role], (name, role, response.status_code)
        if role != "owner":
            # Nobody but the owner changed anything.
            assert InvolvementClaim.objects.get(pk=claim.pk).status == status_before, name
            assert ClaimExpense.objects.filter(pk=expense.pk).exists(), name


def test_receipt_download_content_and_headers(client, claim_with_receipt, coordinator):
    _claim, expense = claim_with_receipt
    client.force_login(coordinator)
    response = client.get(reverse("payments:receipt_download", args=[expense.pk]))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 train ticket"
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]


def test_home_page_section_for_contributors_only(client, home_page, contributor, editor, make_claim):
    make_claim(contributor, "submitted")
    make_claim(contributor, "draft", work_date=datetime.date(2025, 7, 2))
    assert "My involvement" not in client.get("/").content.decode()
    client.force_login(editor)
    assert "My involvement" not in client.get("/").content.decode()
    client.force_login(contributor)
    page = client.get("/").content.decode()
    assert "My involvement" in page
    assert "1 draft, 1 waiting for approval, 0 approved" in page


def test_my_involvement_query_count_does_not_grow(
    client, contributor, make_claim, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for day in range(1, 4):
        make_claim(contributor, "submitted", work_date=datetime.date(2025, 7, day))
    client.force_login(contributor)
    url = reverse("payments:my_involvement")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for day in range(4, 28):
        make_claim(contributor, "submitted", work_date=datetime.date(2025, 7, day))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["claims"]) == 27
