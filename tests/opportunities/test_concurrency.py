"""Accepting an offer twice at once, on PostgreSQL: the application's lock makes it happen once (one
account, one involvement, one acceptance in the trail); without the lock both clicks go through.

Each thread has its own connection and all start together at a barrier. The control holds every thread
at the service's race point (after the status check, before the writes) until all have checked, so
without the lock the race happens every time, not by luck.
"""

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from opportunities import services
from opportunities.models import Application
from payments.models import Involvement
from portal import audit
from portal.locking import at_race_points, locks_disabled

from .conftest import service_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6
Status = Application.Status


@pytest.fixture(autouse=True)
def _hooks_loaded():
    from wagtail import hooks

    hooks.search_for_hooks()


@pytest.fixture
def offered(restore_migration_data, opportunity, coordinator):
    application = services.apply(opportunity, data=service_data())
    services.decide(application, to_status=Status.OFFERED, actor=coordinator)
    return application


def accept_concurrently(application, coordinator, count):
    barrier = threading.Barrier(count)
    errors, results = [], []

    def worker(n):
        try:
            barrier.wait(timeout=30)
            # Half are the applicant's link, half a coordinator's button.
            results.append(services.accept_offer(application, actor=coordinator if n % 2 else None))
        except Exception as exc:  # collected and reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors, results


def acceptances(application):
    return [e for e in audit.trail(application) if e.to_status == Status.ACCEPTED]


def test_accepting_at_once_from_many_processes_happens_once(offered, coordinator):
    assert connection.vendor == "postgresql"
    with at_race_points(lambda label: time.sleep(0.05)):
        errors, results = accept_concurrently(offered, coordinator, THREADS)
    assert errors == []
    assert sum(1 for r in results if not r.already_accepted) == 1
    assert get_user_model().objects.filter(email="amira@example.org").count() == 1
    user = get_user_model().objects.get(email="amira@example.org")
    assert Involvement.objects.filter(person=user).count() == 1
    assert user.is_contributor
    assert len(acceptances(offered)) == 1


def test_control_without_the_lock_accepts_more_than_once(offered, coordinator):
    everyone_checked = threading.Barrier(THREADS)
    with locks_disabled(), at_race_points(lambda label: everyone_checked.wait(timeout=60)):
        errors, results = accept_concurrently(offered, coordinator, THREADS)
    assert errors == []
    involvements = Involvement.objects.filter(person__email="amira@example.org").count()
    assert involvements == THREADS, "without the lock every click records the role again"
    assert len(acceptances(offered)) == THREADS
    assert sum(1 for r in results if not r.already_accepted) == THREADS
    # The account is still one: the unique e-mail address holds even without the lock.
    assert get_user_model().objects.filter(email="amira@example.org").count() == 1
