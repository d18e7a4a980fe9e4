"""Two coordinators deciding the same claim at the same moment: the row lock makes one of them wait,
re-check the state, and be refused. PostgreSQL only (SQLite ignores select_for_update)."""

import threading
import time

import pytest
from django.db import connection

from payments import services
from payments.models import ClaimEvent, InvolvementClaim

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(claim, actors, monkeypatch):
    original = services._recalculate

    def slow_recalculate(c):
        result = original(c)
        time.sleep(0.5)  # widen the window between reading the state and writing the decision
        return result

    monkeypatch.setattr(services, "_recalculate", slow_recalculate)
    barrier = threading.Barrier(len(actors))
    outcomes = []

    def decide(actor):
        try:
            barrier.wait()
            services.approve(InvolvementClaim.objects.get(pk=claim.pk), actor=actor)
            outcomes.append("approved")
        except services.ClaimError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


@pytest.fixture
def coordinators(user_factory):
    return [user_factory(email=f"coord{i}@example.org", groups=["Coordinators"]) for i in range(2)]


def test_concurrent_approvals_approve_once(make_claim, contributor, coordinators, monkeypatch):
    claim = make_claim(contributor, "submitted")
    assert race(claim, coordinators, monkeypatch) == ["approved", "refused"]
    assert ClaimEvent.objects.filter(claim=claim, to_status="approved").count() == 1


def test_control_without_the_lock_the_race_is_real(make_claim, contributor, coordinators, monkeypatch):
    claim = make_claim(contributor, "submitted")
    monkeypatch.setattr(services, "_lock", lambda c: InvolvementClaim.objects.get(pk=c.pk))
    assert race(claim, coordinators, monkeypatch) == ["approved", "approved"]
    assert ClaimEvent.objects.filter(claim=claim, to_status="approved").count() == 2
