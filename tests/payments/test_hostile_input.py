"""Findings of the hostile pass on involvement: each answered with a message, never a 500, and nothing
left half-written (no overflowing total, no receipt file without its expense)."""

import os
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from payments import claim_rules, expenses, services
from payments.models import MAX_EXPENSES_PER_CLAIM, ClaimExpense, RateCard
from tests.uploads import PDF, pdf_bytes

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32
HTML = b"<!doctype html><html><body><script>fetch('/involvement/')</script></body></html>"


def private_files(settings):
    root = settings.PRIVATE_MEDIA_ROOT
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files]


# --- Tax year of the statement --------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "9999", "²", "12345678901234567890123456", "-1", "20x5", "٢٠٢٥", " "])
def test_statement_refuses_a_tax_year_that_is_not_one(client, contributor, make_claim, value):
    make_claim(contributor, "submitted")
    client.force_login(contributor)
    response = client.get(reverse("payments:statement_csv"), {"tax_year": value})
    if not value.strip():  # empty means every year, as the plain link does
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        return
    assert response.status_code == 400
    assert b"There is no statement for that tax year" in response.content


def test_statement_for_a_real_tax_year_still_works(client, contributor, make_claim):
    make_claim(contributor, "submitted")
    client.force_login(contributor)
    response = client.get(reverse("payments:statement_csv"), {"tax_year": "2025"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="involvement-statement-2025-2026.csv"'
    assert len(response.content.decode().splitlines()) == 2


# --- "Used N times" on a policy version -----------------------------------------------------------


def test_policy_version_usage_lists_claims_without_error(client, coordinator, contributor, make_claim):
    claim = make_claim(contributor, "approved", approver=coordinator)
    client.force_login(coordinator)
    response = client.get(f"/admin/payments_versions/usage/{claim.policy_version_id}/")
    assert response.status_code == 200
    assert reverse("payments_claims:inspect", args=[claim.pk]).encode() in response.content


# --- Money bounds ---------------------------------------------------------------------------------


def test_a_huge_expense_is_refused_with_a_message_and_leaves_no_file(
    client, contributor, make_claim, settings
):
    claim = make_claim(contributor)
    client.force_login(contributor)
    response = client.post(
        reverse("payments:expense_add", args=[claim.pk]),
        {
            "category": "travel",
            "amount": "9999999999.99",
            "receipt": SimpleUploadedFile("ticket.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 400
    assert "One expense can be at most £10,000.00." in response.content.decode()
    assert not ClaimExpense.objects.exists()
    assert private_files(settings) == []
    claim.refresh_from_db()
    assert claim.total_amount == D("61.88")


def test_expenses_at_the_bounds_always_fit_the_total(contributor, make_claim, settings):
    claim = make_claim(contributor)
    # Above the policy's receipt limit, so each says why it has no receipt.
    data = {"category": "travel", "amount": D("10000.00"), "no_receipt_reason": "Booked by phone"}
    for _ in range(MAX_EXPENSES_PER_CLAIM):
        expenses.add_expense(claim, actor=contributor, data=data)
    with pytest.raises(services.ClaimError, match="at most 50 expenses"):
        expenses.add_expense(claim, actor=contributor, data={"category": "travel", "amount": D("1.00")})
    claim.refresh_from_db()
    assert claim.total_amount < D("9999999999.99")


@pytest.mark.parametrize(
    "data, message",
    [
        ({"category": "travel", "amount": D("10000.01")}, "at most £10,000.00"),
        ({"category": "mileage", "miles": D("10000.1")}, "at most 10,000.0 miles"),
    ],
)
def test_the_service_refuses_amounts_past_the_bounds(contributor, make_claim, data, message):
    claim = make_claim(contributor)
    with pytest.raises(services.ClaimError, match=message):
        expenses.add_expense(claim, actor=contributor, data=data)


def test_rates_past_the_bound_are_refused_in_the_policy(policy_versions):
    card = RateCard(version=policy_versions[0], activity_type="training", hourly_rate=D("9999999999.99"))
    with pytest.raises(ValidationError, match="A rate can be at most £10,000.00"):
        card.full_clean()


def test_a_failed_expense_deletes_the_receipt_it_wrote(contributor, make_claim, settings, monkeypatch):
    claim = make_claim(contributor)

    def fail(claim):
        raise RuntimeError("the database refused the new total")

    monkeypatch.setattr(claim_rules, "recalculate", fail)
    receipt = SimpleUploadedFile("ticket.pdf", PDF, content_type="application/pdf")
    with pytest.raises(RuntimeError):
        expenses.add_expense(
            claim, actor=contributor, data={"category": "travel", "amount": D("20"), "receipt": receipt}
        )
    assert not ClaimExpense.objects.exists()
    assert private_files(settings) == []


# --- Receipts are checked by content --------------------------------------------------------------


def _upload(client, claim, name, content):
    return client.post(
        reverse("payments:expense_add", args=[claim.pk]),
        {"category": "travel", "amount": "5", "receipt": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    "name, content",
    [("evil.html.pdf", HTML), ("photo.png", PDF), ("scan.pdf", PNG), ("ticket.jpg", b""), ("a.webp", JPEG)],
)
def test_receipts_whose_content_is_not_what_the_name_says_are_refused(
    client, contributor, make_claim, settings, name, content
):
    claim = make_claim(contributor)
    client.force_login(contributor)
    response = _upload(client, claim, name, content)
    assert response.status_code == 400
    assert not ClaimExpense.objects.exists()
    assert private_files(settings) == []


@pytest.mark.parametrize("name, content", [("ticket.pdf", PDF), ("photo.PNG", PNG), ("bus.jpeg", JPEG)])
def test_real_receipts_are_accepted(client, contributor, make_claim, name, content):
    claim = make_claim(contributor)
    client.force_login(contributor)
    response = _upload(client, claim, name, content)
    assert response.status_code == 302
    expense = ClaimExpense.objects.get()
    assert expense.receipt.read() == content


def test_content_check_reads_the_whole_upload_again(client, contributor, make_claim):
    """The checks read the file (its first bytes, then its structure) and rewind: the stored file is the
    whole file."""
    claim = make_claim(contributor)
    client.force_login(contributor)
    content = pdf_bytes(text="x" * 20_000)
    _upload(client, claim, "big.pdf", content)
    assert ClaimExpense.objects.get().receipt.read() == content


def test_bulk_decision_ignores_ids_that_are_not_ids(client, coordinator, contributor, make_claim):
    claim = make_claim(contributor, "submitted")
    client.force_login(coordinator)
    response = client.post(
        "/admin/payments_claims/queue/",
        {"claims": ["²", "٣", "99999999999999999999", str(claim.pk)], "action": "approve"},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "approved"
