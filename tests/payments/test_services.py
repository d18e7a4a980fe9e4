import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from payments import expenses, limits, services, tax_year
from payments.factories import ContributorProfileFactory, build_policy
from payments.models import InvolvementClaim, RateCard
from payments.services import ClaimError
from payouts import services as payouts
from portal import audit

from .conftest import NEW_RATE_FROM, pay_by_hand

Status = InvolvementClaim.Status
D = Decimal


# --- Policy versioning -------------------------------------------------------------------------


def test_claim_before_a_rate_change_uses_the_old_rate(make_claim, contributor):
    before = make_claim(contributor, work_date=NEW_RATE_FROM - datetime.timedelta(days=1))
    on = make_claim(contributor, work_date=NEW_RATE_FROM)
    # 2 h 10 min rounds to 2 h 15 min.
    assert before.fee_amount == D("56.25")  # at £25/h
    assert on.fee_amount == D("61.88")  # at £27.50/h
    assert before.policy_version.effective_from < on.policy_version.effective_from
    assert "2 h 10 min meeting or workshop, rounded to 2 h 15 min, at £27.50/h = £61.88" in on.explanation


def test_editing_the_policy_after_approval_changes_no_approved_amount(make_claim, contributor, coordinator):
    claim = make_claim(contributor, "approved", approver=coordinator)
    version = claim.policy_version
    frozen = (claim.fee_amount, claim.total_amount, claim.explanation, claim.policy_version_id)
    assert version.is_locked
    # The admin form runs full_clean: a locked version refuses changes.
    version.pay_within_days = 10
    with pytest.raises(ValidationError, match="can no longer be changed"):
        version.full_clean()
    # Even changes that bypass the form, and a new version covering the same date, change nothing approved.
    RateCard.objects.filter(version=version).update(hourly_rate=D("99.00"))
    build_policy(claim.work_date, D("40.00"), policy=version.policy)
    claim.refresh_from_db()
    assert (claim.fee_amount, claim.total_amount, claim.explanation, claim.policy_version_id) == frozen
    pay_by_hand(claim, coordinator)
    claim.refresh_from_db()
    assert claim.fee_amount == frozen[0]


def test_submitted_claim_is_recalculated_on_approval(make_claim, contributor, coordinator):
    claim = make_claim(contributor, "submitted")
    RateCard.objects.filter(version=claim.policy_version, activity_type="meeting").update(hourly_rate=D("30"))
    services.approve(claim, actor=coordinator)
    assert claim.fee_amount == D("67.50")


def test_no_policy_covers_the_date(make_claim, contributor):
    with pytest.raises(ClaimError, match="does not cover work done on 01 January 2020"):
        make_claim(contributor, work_date=datetime.date(2020, 1, 1))


# --- Transitions -------------------------------------------------------------------------------

LEGAL = [
    # (start status, action, end status)
    ("draft", "submit", "submitted"),
    ("submitted", "withdraw", "draft"),
    ("submitted", "approve", "approved"),
    ("submitted", "reject", "rejected"),
    ("approved", "mark_paid", "paid"),
    ("approved", "mark_declined", "declined"),
]
ACTIONS = ["submit", "withdraw", "approve", "reject", "mark_paid", "mark_declined"]
OWNER_ACTIONS = {"submit", "withdraw"}


def run(action, claim, owner, coordinator):
    actor = owner if action in OWNER_ACTIONS else coordinator
    if action == "mark_paid":
        # Only the payout holding a claim pays it: put an approved claim in one (a claim in any other
        # state is refused before its payout is looked at).
        held = claim.payout_items.held().first()
        if held is None and claim.status == Status.APPROVED:
            run, _ = payouts.create_run(actor=coordinator, claim_ids=[claim.pk])
            held = claim.payout_items.held().get()
        payout = held.payout if held else SimpleNamespace(pk=0)
        return services.mark_paid(claim, payout=payout, actor=actor)
    if action == "reject":
        return services.reject(claim, actor=actor, reason="Outside the project")
    return getattr(services, action)(claim, actor=actor)


@pytest.mark.parametrize(("start", "action", "end"), LEGAL)
def test_legal_transition_then_the_same_again_is_refused(
    start, action, end, make_claim, contributor, coordinator
):
    claim = make_claim(contributor, start, approver=coordinator)
    events_before = len(audit.trail(claim))
    run(action, claim, contributor, coordinator)
    assert claim.status == end
    assert InvolvementClaim.objects.get(pk=claim.pk).status == end
    event = audit.trail(claim)[-1]
    assert (event.from_status, event.to_status) == (start, end)
    assert event.actor == (contributor if action in OWNER_ACTIONS else coordinator)
    # The second attempt (a double click, a retry) is refused and changes nothing.
    with pytest.raises(ClaimError):
        run(action, claim, contributor, coordinator)
    assert InvolvementClaim.objects.get(pk=claim.pk).status == end
    assert len(audit.trail(claim)) == events_before + 1


ILLEGAL = [
    (start, action)
    for start in ["draft", "submitted", "approved", "rejected", "paid", "declined"]
    for action in ACTIONS
    if (start, action) not in {(s, a) for s, a, _ in LEGAL}
]


@pytest.mark.parametrize(("start", "action"), ILLEGAL)
def test_illegal_transition_is_refused_twice(start, action, make_claim, contributor, coordinator):
    claim = make_claim(contributor, start, approver=coordinator)
    events_before = len(audit.trail(claim))
    for _attempt in range(2):
        with pytest.raises(ClaimError, match="cannot be"):
            run(action, claim, contributor, coordinator)
        assert InvolvementClaim.objects.get(pk=claim.pk).status == start
    assert len(audit.trail(claim)) == events_before


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_nobody_approves_or_rejects_their_own_claim(action, make_claim, user_factory):
    coordinator = user_factory(email="both@example.org", groups=["Coordinators", "Contributors"])
    claim = make_claim(coordinator, "submitted")
    for _attempt in range(2):
        with pytest.raises(ClaimError, match="of your own"):
            run(action, claim, coordinator, coordinator)
    assert InvolvementClaim.objects.get(pk=claim.pk).status == Status.SUBMITTED


def test_superuser_cannot_approve_their_own_claim_either(make_claim, superuser):
    claim = make_claim(superuser, "submitted")
    with pytest.raises(ClaimError, match="of your own"):
        services.approve(claim, actor=superuser)


def test_contributor_cannot_approve(make_claim, contributor, other_contributor):
    claim = make_claim(contributor, "submitted")
    with pytest.raises(ClaimError, match="Only a coordinator"):
        services.approve(claim, actor=other_contributor)


def test_only_the_owner_submits_edits_or_withdraws(make_claim, contributor, other_contributor, coordinator):
    claim = make_claim(contributor)
    for actor in (other_contributor, coordinator):
        with pytest.raises(ClaimError, match="Only the person who made this claim"):
            services.submit(claim, actor=actor)
        with pytest.raises(ClaimError, match="Only the person who made this claim"):
            services.edit_claim(claim, actor=actor, data={"duration_minutes": 60})


def test_reject_needs_a_reason(make_claim, contributor, coordinator):
    claim = make_claim(contributor, "submitted")
    with pytest.raises(ClaimError, match="Give a reason"):
        services.reject(claim, actor=coordinator, reason="  ")
    services.reject(claim, actor=coordinator, reason="Duplicate of another claim")
    assert claim.decision_reason == "Duplicate of another claim"
    assert audit.trail(claim)[-1].note == "Duplicate of another claim"


def test_edit_while_submitted_recalculates(make_claim, contributor):
    claim = make_claim(contributor, "submitted")
    services.edit_claim(claim, actor=contributor, data={"duration_minutes": 60})
    assert claim.status == Status.SUBMITTED
    assert claim.fee_amount == D("27.50")
    assert audit.trail(claim)[-1].note == "Edited"


def test_approved_claim_cannot_be_edited(make_claim, contributor, coordinator):
    claim = make_claim(contributor, "approved", approver=coordinator)
    with pytest.raises(ClaimError, match="cannot be changed"):
        services.edit_claim(claim, actor=contributor, data={"duration_minutes": 600})


def test_contributor_may_decline_their_approved_payment(make_claim, contributor, coordinator):
    claim = make_claim(contributor, "approved", approver=coordinator)
    services.mark_declined(claim, actor=contributor)
    assert claim.status == Status.DECLINED


def test_mark_paid_keeps_the_payout_reference(make_claim, contributor, coordinator):
    claim = make_claim(contributor, "approved", approver=coordinator)
    run, _ = payouts.create_run(actor=coordinator, claim_ids=[claim.pk])
    services.mark_paid(claim, payout=run.payouts.get(), reference="tr_123")
    assert claim.payment_reference == "tr_123"
    assert claim.paid_at is not None


def test_only_the_payout_holding_a_claim_can_pay_it(make_claim, contributor, coordinator):
    held, other = (make_claim(contributor, "approved", approver=coordinator) for _ in range(2))
    run, _ = payouts.create_run(actor=coordinator, claim_ids=[held.pk])
    with pytest.raises(ClaimError, match="does not hold this claim"):
        services.mark_paid(other, payout=run.payouts.get())
    assert InvolvementClaim.objects.get(pk=other.pk).status == Status.APPROVED


def test_audit_trail_records_every_step(make_claim, contributor, coordinator):
    claim = make_claim(contributor, "paid", approver=coordinator)
    steps = [(e.from_status, e.to_status, e.actor.pk) for e in audit.trail(claim)]
    assert steps == [
        ("", "draft", contributor.pk),
        ("draft", "submitted", contributor.pk),
        ("submitted", "approved", coordinator.pk),
        ("approved", "paid", coordinator.pk),
    ]


def test_bulk_decide_reports_refusals(make_claim, contributor, user_factory):
    coordinator = user_factory(email="c2@example.org", groups=["Coordinators", "Contributors"])
    mine = make_claim(coordinator, "submitted")
    theirs = make_claim(contributor, "submitted", work_date=datetime.date(2025, 7, 2))
    done, refused = services.bulk_decide([mine, theirs], actor=coordinator, action="approve")
    assert done == [theirs]
    assert refused[0][0] == mine and "of your own" in refused[0][1]


# --- Impossible input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"duration_minutes": 0}, "more than zero"),
        ({"duration_minutes": -30}, "more than zero"),
        ({"preparation_minutes": -5}, "cannot be negative"),
        ({"duration_minutes": 24 * 60 + 1}, "more than 24 hours"),
        ({"work_date": datetime.date.today() + datetime.timedelta(days=1)}, "cannot be in the future"),
    ],
)
def test_impossible_input_is_refused(fields, message, make_claim, contributor):
    if "work_date" in fields:
        fields["work_date"] = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ClaimError, match=message):
        make_claim(contributor, **fields)
    assert not InvolvementClaim.objects.exists()


def test_more_than_24_hours_in_one_day_across_claims(make_claim, contributor, other_contributor):
    make_claim(contributor, duration_minutes=20 * 60)
    with pytest.raises(ClaimError, match="already claimed 20 h"):
        make_claim(contributor, duration_minutes=5 * 60)
    # Another person's day is their own; a rejected claim does not count.
    make_claim(other_contributor, duration_minutes=5 * 60)


def test_rejected_claims_do_not_count_towards_the_day(make_claim, contributor, coordinator):
    make_claim(contributor, "rejected", approver=coordinator, duration_minutes=20 * 60)
    make_claim(contributor, duration_minutes=5 * 60)


def test_editing_to_exceed_a_day_is_refused(make_claim, contributor):
    make_claim(contributor, duration_minutes=20 * 60)
    second = make_claim(contributor, duration_minutes=60)
    with pytest.raises(ClaimError, match="more than 24 hours"):
        services.edit_claim(second, actor=contributor, data={"duration_minutes": 5 * 60})


# --- Expenses ----------------------------------------------------------------------------------


def test_expenses_are_added_and_removed_with_recalculation(make_claim, contributor):
    claim = make_claim(contributor, duration_minutes=60)
    expense = expenses.add_expense(claim, actor=contributor, data={"category": "mileage", "miles": D("10")})
    assert claim.expenses_amount == D("4.50")
    assert claim.total_amount == D("27.50") + D("4.50")
    claim = expenses.remove_expense(expense, actor=contributor)
    assert claim.expenses_amount == D("0.00")
    assert not claim.expenses.exists()


def test_expense_needs_an_amount_or_miles(make_claim, contributor):
    claim = make_claim(contributor)
    with pytest.raises(ClaimError, match="number of miles"):
        expenses.add_expense(claim, actor=contributor, data={"category": "mileage"})
    with pytest.raises(ClaimError, match="amount you spent"):
        expenses.add_expense(claim, actor=contributor, data={"category": "travel"})


# --- Limits and tax years ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (datetime.date(2025, 4, 5), datetime.date(2024, 4, 6)),
        (datetime.date(2025, 4, 6), datetime.date(2025, 4, 6)),
        (datetime.date(2026, 1, 15), datetime.date(2025, 4, 6)),
    ],
)
def test_tax_year_starts_on_6_april(day, start):
    assert tax_year.bounds_of(day) == (start, datetime.date(start.year + 1, 4, 5))
    assert tax_year.of(day) == start.year


def test_weekly_limit_warning(make_claim, contributor):
    ContributorProfileFactory(user=contributor, weekly_limit=D("80.00"))
    make_claim(contributor, "submitted", work_date=datetime.date(2025, 7, 1), duration_minutes=120)  # £55
    second = make_claim(contributor, work_date=datetime.date(2025, 7, 3), duration_minutes=60)  # £27.50
    warnings = limits.limit_warnings(second)
    assert len(warnings) == 1
    assert (
        "week from 30 Jun 2025 to 06 Jul 2025 would be £82.50, more than the limit of £80.00" in warnings[0]
    )
    # The following week is a new week.
    third = make_claim(contributor, work_date=datetime.date(2025, 7, 7), duration_minutes=60)
    assert limits.limit_warnings(third) == []


def test_monthly_limit_ignores_drafts_and_rejected(make_claim, contributor, coordinator):
    ContributorProfileFactory(user=contributor, monthly_limit=D("60.00"))
    make_claim(contributor, "draft", work_date=datetime.date(2025, 7, 1), duration_minutes=120)
    make_claim(contributor, "rejected", approver=coordinator, work_date=datetime.date(2025, 7, 2))
    claim = make_claim(contributor, work_date=datetime.date(2025, 7, 20), duration_minutes=120)
    assert limits.limit_warnings(claim) == []
    make_claim(
        contributor,
        "approved",
        approver=coordinator,
        work_date=datetime.date(2025, 7, 3),
        duration_minutes=60,
    )
    assert "month from 01 Jul 2025 to 31 Jul 2025" in limits.limit_warnings(claim)[0]


def test_tax_year_limit_follows_6_april(make_claim, contributor, coordinator):
    ContributorProfileFactory(user=contributor, tax_year_limit=D("100.00"))
    make_claim(
        contributor, "paid", approver=coordinator, work_date=datetime.date(2025, 4, 5), duration_minutes=240
    )
    new_year = make_claim(contributor, work_date=datetime.date(2025, 4, 6), duration_minutes=60)
    assert limits.limit_warnings(new_year) == []
    old_year = make_claim(contributor, work_date=datetime.date(2025, 4, 4), duration_minutes=60)
    [warning] = limits.limit_warnings(old_year)
    assert "tax year from 06 Apr 2024 to 05 Apr 2025 would be £125.00" in warning


def test_no_profile_no_warnings(make_claim, contributor):
    assert limits.limit_warnings(make_claim(contributor)) == []


# --- Overdue -----------------------------------------------------------------------------------


def test_overdue_claims_are_those_approved_past_the_pay_within_period(make_claim, contributor, coordinator):
    late = make_claim(contributor, "approved", approver=coordinator)
    recent = make_claim(contributor, "approved", approver=coordinator, work_date=datetime.date(2025, 7, 2))
    make_claim(contributor, "paid", approver=coordinator, work_date=datetime.date(2025, 7, 3))
    InvolvementClaim.objects.filter(pk=late.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=31)
    )
    InvolvementClaim.objects.filter(pk=recent.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=29)
    )
    assert list(limits.overdue_claims()) == [late]


def test_stored_tax_year_and_waits_follow_the_claim(make_claim, contributor, coordinator):
    claim = make_claim(contributor, work_date=datetime.date(2025, 4, 5))
    assert claim.tax_year == 2024
    services.edit_claim(claim, actor=contributor, data={"work_date": datetime.date(2025, 4, 6)})
    assert InvolvementClaim.objects.get(pk=claim.pk).tax_year == 2025
    services.submit(claim, actor=contributor)
    services.approve(claim, actor=coordinator)
    pay_by_hand(claim, coordinator)
    claim.refresh_from_db()
    assert claim.decision_wait == claim.decided_at - claim.submitted_at
    assert claim.payment_wait == claim.paid_at - claim.decided_at


def test_waits_follow_whoever_saves_the_claim(make_claim, contributor, coordinator):
    # A payout step may settle claims itself (save with update_fields): the stored wait still follows.
    claim = make_claim(contributor, "approved", approver=coordinator)
    claim.status = Status.PAID
    claim.paid_at = claim.decided_at + datetime.timedelta(days=3)
    claim.save(update_fields=["status", "paid_at"])
    assert InvolvementClaim.objects.get(pk=claim.pk).payment_wait == datetime.timedelta(days=3)
    claim.status = Status.APPROVED
    claim.paid_at = None
    claim.save(update_fields=["status", "paid_at"])
    assert InvolvementClaim.objects.get(pk=claim.pk).payment_wait is None
