"""Two coordinators pressing "confirm payment run" at once never put a claim in two payouts.

PostgreSQL only: SQLite ignores SELECT ... FOR UPDATE, so the race cannot be shown there.
"""

import threading

import pytest
from django.db import connection

from payouts import services as payouts
from payouts.models import PaymentRun, Payout, PayoutItem
from portal.locking import at_race_points, locks_disabled

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNNERS = 8


def fire(coordinators, claim_ids, race_hook=None):
    barrier = threading.Barrier(len(coordinators))
    results, errors = [], []

    def press(actor):
        try:
            barrier.wait()
            run, _ = payouts.create_run(actor=actor, claim_ids=claim_ids)
            results.append(run)
        except payouts.PayoutError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(c,)) for c in coordinators]
    with at_race_points(race_hook or (lambda label: None)):
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    return results, errors


@pytest.fixture
def setup(user_factory, make_claim):
    approver = user_factory(email="approver@example.org", groups=["Coordinators"])
    people = [user_factory(email=f"c{i}@example.org", groups=["Contributors"]) for i in range(3)]
    claims = [make_claim(p, status="approved", approver=approver) for p in people for _ in range(2)]
    coordinators = [
        user_factory(email=f"coord{i}@example.org", groups=["Coordinators"]) for i in range(RUNNERS)
    ]
    return coordinators, [c.pk for c in claims]


def test_concurrent_runs_include_each_claim_exactly_once(setup):
    coordinators, claim_ids = setup
    results, errors = fire(coordinators, claim_ids)
    assert errors == []
    created = [run for run in results if run is not None]
    assert len(created) == 1, "one run gets the claims; the others find nothing left"
    assert PaymentRun.objects.count() == 1
    assert PayoutItem.objects.count() == len(claim_ids)
    assert sorted(PayoutItem.objects.values_list("claim_id", flat=True)) == sorted(claim_ids)
    assert Payout.objects.count() == 3


def test_control_without_the_lock_the_runs_collide(setup):
    coordinators, claim_ids = setup
    # Every runner reads the claims as free before any of them writes.
    all_read = threading.Barrier(len(coordinators))
    with locks_disabled():
        results, errors = fire(coordinators, claim_ids, lambda label: all_read.wait(timeout=60))
    # Every runner read the same free claims and tried to pay them: only the database's unique constraint
    # stopped double payment, by failing the others (they are told to try again).
    assert errors, "without the lock the runs race for the same claims"
    assert PayoutItem.objects.count() == len(claim_ids)
