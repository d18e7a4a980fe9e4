"""A payment run warns before it would put two payments for one person into one Universal Credit
assessment period, and a coordinator can hold that person's payment: their claims are left out of the
run, recorded (PaymentHold and the claim's trail), stay approved and payable, and are shown on the next
run's screen; paying them later ends the hold."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from payments import benefits
from payments.factories import ContributorProfileFactory
from payments.models import InvolvementClaim
from payouts import services as payouts
from payouts.models import PaymentHold, PayoutItem
from portal import audit

Status = InvolvementClaim.Status


@pytest.fixture
def uc_person(contributor):
    """A contributor on Universal Credit whose assessment period began today, paid today already."""
    ContributorProfileFactory(
        user=contributor, payment_preference="bank_transfer", uc_assessment_start_day=timezone.localdate().day
    )
    return contributor


@pytest.fixture
def world(make_claim, uc_person, other_contributor, coordinator):
    make_claim(uc_person, "paid", approver=coordinator, project="Paid today")
    waiting = make_claim(uc_person, "approved", approver=coordinator, project="Carers' voices")
    other = make_claim(other_contributor, "approved", approver=coordinator)
    return waiting, other


def preview(client, claims, planned_on=""):
    return client.post(
        reverse("payouts_admin:run"),
        {"claims": [str(c.pk) for c in claims], "action": "preview", "planned_on": planned_on},
    )


def test_the_preview_warns_about_two_payments_in_one_period_and_offers_to_hold(client, coordinator, world):
    waiting, other = world
    client.force_login(coordinator)
    page = preview(client, [waiting, other]).content.decode()
    assert 'id="run-benefit-warnings"' in page
    assert "one Universal Credit assessment period" in page
    assert f'name="hold" value="{waiting.contributor_id}"' in page
    assert f'name="hold" value="{other.contributor_id}"' not in page
    assert "not advice" in page


def test_no_warning_when_the_planned_date_is_in_the_next_period(client, coordinator, world, uc_person):
    waiting, other = world
    _, last = benefits.assessment_period(
        uc_person.contributor_profile.uc_assessment_start_day, timezone.localdate()
    )
    client.force_login(coordinator)
    page = preview(client, [waiting, other], (last + datetime.timedelta(days=1)).isoformat()).content.decode()
    assert 'id="run-benefit-warnings"' not in page
    page = preview(client, [waiting, other], last.isoformat()).content.decode()
    assert 'id="run-benefit-warnings"' in page


def test_holding_leaves_the_claims_out_recorded_and_payable(client, coordinator, world, user_factory):
    waiting, other = world
    client.force_login(coordinator)
    response = client.post(
        reverse("payouts_admin:run"),
        {
            "claims": [str(waiting.pk), str(other.pk)],
            "action": "confirm",
            "hold": [str(waiting.contributor_id)],
            "hold_reason": "Two payments in one UC period",
        },
    )
    assert response.status_code == 302
    hold = PaymentHold.objects.get(claim=waiting)
    run = hold.run
    assert run is not None and hold.held_by == coordinator and hold.reason == "Two payments in one UC period"
    assert list(PayoutItem.objects.filter(payout__run=run).values_list("claim_id", flat=True)) == [other.pk]
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED
    assert payouts.payable_claims().filter(pk=waiting.pk).exists()
    assert any(f"Held out of payment run {run.pk}" in e.note for e in audit.trail(waiting))
    # The run shows what it held; the next run's list shows the claim as held, not ticked.
    assert (
        "Held out of this run" in client.get(reverse("payment_runs:inspect", args=[run.pk])).content.decode()
    )
    page = client.get(reverse("payouts_admin:run")).content.decode()
    assert f"Held from run {run.pk}" in page
    assert f'value="{waiting.pk}" id="claim-{waiting.pk}">' in page  # not checked
    # Paid in a later run, the hold ends with a note of where it went.
    later, _ = payouts.create_run(actor=coordinator, claim_ids=[waiting.pk])
    hold.refresh_from_db()
    assert hold.ended_at is not None and f"Paid in run {later.pk}" in hold.end_note


def test_holding_everything_makes_no_run_but_records_the_hold(client, coordinator, world):
    waiting, _ = world
    client.force_login(coordinator)
    response = client.post(
        reverse("payouts_admin:run"),
        {"claims": [str(waiting.pk)], "action": "confirm", "hold": [str(waiting.contributor_id)]},
        follow=True,
    )
    assert "every chosen claim was held" in response.content.decode()
    hold = PaymentHold.objects.get(claim=waiting)
    assert hold.run is None and hold.is_open and "Universal Credit" in hold.reason
    # Held again from a later run: the first hold ends, one stays open.
    payouts.create_run(actor=coordinator, claim_ids=[waiting.pk], hold_ids=[waiting.pk], hold_reason="Again")
    assert PaymentHold.objects.filter(claim=waiting, ended_at__isnull=True).get().reason == "Again"
    assert PaymentHold.objects.filter(claim=waiting).count() == 2


def test_a_held_claim_does_not_count_as_expected_until_it_is_paid(world, uc_person, coordinator):
    waiting, _ = world
    payouts.create_run(actor=coordinator, claim_ids=[waiting.pk], hold_ids=[waiting.pk])
    assert not [p for p in benefits.expected_payments(uc_person) if waiting.pk in p.claim_ids and p.date]


def test_members_cannot_make_runs_or_hold(client, contributor, editor, world):
    waiting, _ = world
    for person in (None, contributor, editor):
        client.logout()
        if person:
            client.force_login(person)
        response = client.post(
            reverse("payouts_admin:run"),
            {"claims": [str(waiting.pk)], "action": "confirm", "hold": [str(waiting.contributor_id)]},
        )
        assert response.status_code in (302, 403)
    assert not PaymentHold.objects.exists()
    with pytest.raises(payouts.PayoutError):
        payouts.create_run(actor=contributor, claim_ids=[waiting.pk], hold_ids=[waiting.pk])
