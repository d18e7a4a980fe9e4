"""Money paid once, under concurrency (PostgreSQL: SQLite ignores SELECT ... FOR UPDATE).

Each test runs two people's actions in two threads (each with its own database connection) in the worst
order: the first is held at the service's race point (after it has read the state it decides on, before
it writes) until the second has either finished (no lock to stop it) or is seen waiting for a lock in
pg_stat_activity. Nothing here waits for time: the order is forced by events and by the database's own
report of who is waiting. The controls switch the locks off (portal.locking.locks_disabled) and show
the defect the lock prevents.
"""

import datetime
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from payments import services
from payments.factories import ContributorProfileFactory
from payments.models import InvolvementClaim
from payouts import services as payouts
from payouts.models import Payout
from portal.locking import at_race_points, locks_disabled

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

Status = InvolvementClaim.Status
PATIENCE = 60  # seconds: only a bound on a hung test, never what decides its result


@pytest.fixture(autouse=True)
def _hooks_loaded():
    from wagtail import hooks

    hooks.search_for_hooks()


def someone_waits_for_a_lock():
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def wait_for(condition, what):
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.01)


def worst_order(label, first, second):
    """Runs `first` until it reaches the race point `label`, then `second`; lets `first` go on once
    `second` has finished or is blocked by a lock. Returns each one's outcome (a value or an exception)."""
    reached, go = threading.Event(), threading.Event()
    owner = {}
    outcomes = {}

    def hook(name):
        if name == label and threading.get_ident() == owner.get("first") and not reached.is_set():
            reached.set()
            assert go.wait(PATIENCE), "the first action was never released"

    def run(key, action):
        if key == "first":
            owner["first"] = threading.get_ident()
        try:
            outcomes[key] = action()
        except Exception as exc:  # the test reads it
            outcomes[key] = exc
        finally:
            connection.close()

    with at_race_points(hook):
        one = threading.Thread(target=run, args=("first", first))
        one.start()
        assert reached.wait(PATIENCE), f"the first action never reached {label}"
        two = threading.Thread(target=run, args=("second", second))
        two.start()
        wait_for(lambda: not two.is_alive() or someone_waits_for_a_lock(), "the second action")
        go.set()
        one.join(PATIENCE)
        two.join(PATIENCE)
    return outcomes["first"], outcomes["second"]


@pytest.fixture
def people(user_factory, policy_versions):
    coordinators = [user_factory(email=f"coord{i}@example.org", groups=["Coordinators"]) for i in range(2)]
    contributor = user_factory(email="racer@example.org", groups=["Contributors"])
    ContributorProfileFactory(user=contributor, payment_preference="bank_transfer")
    return contributor, coordinators


def approved_claims(make_claim, contributor, coordinator, n):
    return [
        make_claim(contributor, status="approved", approver=coordinator, duration_minutes=60)
        for _ in range(n)
    ]


# -- Defect 1: paid by hand while a payment run takes the same claim -----------------------------------


def pay_by_hand(claim, coordinator):
    return lambda: payouts.pay_claim_by_hand(
        claim, actor=coordinator, method="bank_transfer", paid_on=timezone.localdate(), reference="HAND"
    )


def run_of(claim, coordinator):
    return lambda: payouts.create_run(actor=coordinator, claim_ids=[claim.pk])


def test_a_claim_paid_by_hand_during_a_run_is_paid_once(people, make_claim):
    contributor, (a, b) = people
    [claim] = approved_claims(make_claim, contributor, a, 1)
    paid, run = worst_order("payouts.claims_free", pay_by_hand(claim, a), run_of(claim, b))
    assert isinstance(paid, Payout) and paid.status == Payout.Status.PAID
    # The run waited for the claim's lock, then found it paid: nothing was created for it.
    assert run == (None, [(claim.pk, "Not approved, or no longer approved.")])
    assert claim.payout_items.count() == 1
    assert InvolvementClaim.objects.get(pk=claim.pk).status == Status.PAID


def test_control_without_the_lock_both_take_the_claim(people, make_claim):
    contributor, (a, b) = people
    [claim] = approved_claims(make_claim, contributor, a, 1)
    with locks_disabled():
        paid, run = worst_order("payouts.claims_free", pay_by_hand(claim, a), run_of(claim, b))
    # Both read the claim as free. Only the database's unique constraint stopped the second payout,
    # which failed as a clash rather than being refused cleanly.
    assert run[0] is not None
    assert isinstance(paid, payouts.PayoutError) and "same moment" in str(paid)


# -- Defect 2: declined while the payout that holds it is being recorded ----------------------------


def record(payout, coordinator):
    return lambda: payouts.record_manual_payment(
        payout, actor=coordinator, paid_on=timezone.localdate(), reference="BACS-1", method="bank_transfer"
    )


def decline(claim, contributor):
    return lambda: services.mark_declined(InvolvementClaim.objects.get(pk=claim.pk), actor=contributor)


def test_declining_while_the_payout_is_recorded_never_pays_a_declined_claim(people, make_claim):
    contributor, (a, b) = people
    kept, declined = approved_claims(make_claim, contributor, a, 2)
    run, _ = payouts.create_run(actor=b, claim_ids=[kept.pk, declined.pk])
    payout = run.payouts.get()
    recorded, refusal = worst_order(
        "payouts.claims_checked", record(payout, b), decline(declined, contributor)
    )
    # The payout had both claims locked: it paid both, and the decline that waited was refused.
    assert isinstance(recorded, Payout)
    assert isinstance(refusal, services.ClaimError) and "paid" in str(refusal)
    payout.refresh_from_db()
    statuses = set(
        InvolvementClaim.objects.filter(pk__in=[kept.pk, declined.pk]).values_list("status", flat=True)
    )
    assert statuses == {Status.PAID}
    assert payout.amount == kept.total_amount + declined.total_amount


def test_control_without_the_lock_a_declined_claim_is_paid(people, make_claim):
    contributor, (a, b) = people
    kept, declined = approved_claims(make_claim, contributor, a, 2)
    run, _ = payouts.create_run(actor=b, claim_ids=[kept.pk, declined.pk])
    payout = run.payouts.get()
    with locks_disabled():
        worst_order("payouts.claims_checked", record(payout, b), decline(declined, contributor))
    payout.refresh_from_db()
    assert InvolvementClaim.objects.get(pk=declined.pk).status == Status.DECLINED
    assert payout.status == Payout.Status.PAID
    assert payout.amount == kept.total_amount + declined.total_amount, "money recorded for the declined claim"


# -- Defect 5: two edits of one day at the same moment ---------------------------------------------


def edit(claim, contributor, minutes):
    return lambda: services.edit_claim(
        InvolvementClaim.objects.get(pk=claim.pk), actor=contributor, data={"duration_minutes": minutes}
    )


def day_minutes(contributor):
    return sum(
        InvolvementClaim.objects.filter(contributor=contributor, work_date=datetime.date(2025, 7, 1))
        .exclude(status=Status.REJECTED)
        .values_list("duration_minutes", flat=True)
    )


def test_simultaneous_edits_cannot_pass_24_hours(people, make_claim):
    contributor, _ = people
    first, second = (make_claim(contributor, "submitted", duration_minutes=600) for _ in range(2))
    one, two = worst_order(
        "payments.day_total", edit(first, contributor, 14 * 60), edit(second, contributor, 14 * 60)
    )
    assert isinstance(one, InvolvementClaim)
    assert isinstance(two, services.ClaimError) and "24 hours" in str(two)
    assert day_minutes(contributor) == 24 * 60


def test_control_without_the_lock_the_day_passes_24_hours(people, make_claim):
    contributor, _ = people
    first, second = (make_claim(contributor, "submitted", duration_minutes=600) for _ in range(2))
    with locks_disabled():
        worst_order(
            "payments.day_total", edit(first, contributor, 14 * 60), edit(second, contributor, 14 * 60)
        )
    assert day_minutes(contributor) == 28 * 60
