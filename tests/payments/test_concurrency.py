"""Two coordinators deciding the same claim at the same moment: the row lock makes one of them wait,
re-check the state, and be refused. PostgreSQL only (SQLite ignores select_for_update).

`approve` marks the gap between reading the state and writing the decision with a race point; a barrier
there holds every thread until all have read, so the control shows the race every time."""

import threading

import pytest
from django.db import connection

from payments import services
from payments.models import InvolvementClaim
from portal import audit
from portal.locking import at_race_points, locks_disabled

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(claim, actors, race_hook=None):
    start = threading.Barrier(len(actors))
    outcomes = []

    def decide(actor):
        try:
            start.wait(timeout=60)
            services.approve(InvolvementClaim.objects.get(pk=claim.pk), actor=actor)
            outcomes.append("approved")
        except services.ClaimError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(a,)) for a in actors]
    with at_race_points(race_hook or (lambda label: None)):
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    return sorted(outcomes)


@pytest.fixture
def coordinators(user_factory):
    return [user_factory(email=f"coord{i}@example.org", groups=["Coordinators"]) for i in range(2)]


def test_concurrent_approvals_approve_once(make_claim, contributor, coordinators):
    claim = make_claim(contributor, "submitted")
    assert race(claim, coordinators) == ["approved", "refused"]
    assert [e.to_status for e in audit.trail(claim)].count("approved") == 1


def test_control_without_the_lock_the_race_is_real(make_claim, contributor, coordinators):
    claim = make_claim(contributor, "submitted")
    all_read = threading.Barrier(len(coordinators))
    with locks_disabled():
        outcomes = race(claim, coordinators, lambda label: all_read.wait(timeout=60))
    assert outcomes == ["approved", "approved"]
    assert [e.to_status for e in audit.trail(claim)].count("approved") == 2
