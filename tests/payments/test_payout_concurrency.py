"""Two coordinators pressing "confirm payment run" at once never put a claim in two payouts.

PostgreSQL only: SQLite ignores SELECT ... FOR UPDATE, so the race cannot be shown there.
"""

import threading
import time

import pytest
from django.db import IntegrityError, connection

from payments import payouts
from payments.payout_models import PaymentRun, Payout, PayoutItem

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNNERS = 8


@pytest.fixture
def slow_planning(monkeypatch):
    """Widens the window between reading the claims and writing the payouts, as a slow request would."""
    real_plan = payouts._plan

    def slow(claims, actor):
        result = real_plan(claims, actor)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(payouts, "_plan", slow)


def fire(coordinators, claim_ids):
    barrier = threading.Barrier(len(coordinators))
    results, errors = [], []

    def press(actor):
        try:
            barrier.wait()
            run, _ = payouts.create_run(actor=actor, claim_ids=claim_ids)
            results.append(run)
        except IntegrityError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(c,)) for c in coordinators]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
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


def test_concurrent_runs_include_each_claim_exactly_once(setup, slow_planning):
    coordinators, claim_ids = setup
    results, errors = fire(coordinators, claim_ids)
    assert errors == []
    created = [run for run in results if run is not None]
    assert len(created) == 1, "one run gets the claims; the others find nothing left"
    assert PaymentRun.objects.count() == 1
    assert PayoutItem.objects.count() == len(claim_ids)
    assert sorted(PayoutItem.objects.values_list("claim_id", flat=True)) == sorted(claim_ids)
    assert Payout.objects.count() == 3


def test_control_without_the_lock_the_runs_collide(setup, slow_planning, monkeypatch):
    monkeypatch.setattr(payouts, "LOCK_CLAIMS_IN_RUNS", False)
    coordinators, claim_ids = setup
    results, errors = fire(coordinators, claim_ids)
    # Every runner read the same free claims and tried to pay them: only the database's unique constraint
    # stopped double payment, by failing the others with an error (a 500 for those coordinators).
    assert errors, "without the lock the runs race for the same claims"
    assert PayoutItem.objects.count() == len(claim_ids)
