"""Two coordinators recording the same person without e-mail at once, on PostgreSQL: the Contributors
group's row lock serialises the duplicate check, so one record is made and the others are told who it is;
the control shows the race without the lock (there is no unique address to catch it)."""

import datetime
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from payments import services
from portal.locking import at_race_points, locks_disabled

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 4


def record_concurrently(coordinator, count):
    barrier = threading.Barrier(count)
    errors, results = [], []

    def worker():
        try:
            barrier.wait(timeout=30)
            results.append(
                services.record_offline_contributor(
                    actor=coordinator,
                    first_name="Maureen",
                    last_name="Lowe",
                    phone="0161 496 0000",
                    consent_how="Phone call",
                    consent_on=datetime.date(2025, 6, 30),
                )
            )
        except Exception as exc:  # collected and reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors, results


def people():
    return get_user_model().objects.filter(first_name="Maureen", last_name="Lowe").count()


def test_recording_the_same_person_at_once_makes_one_record(coordinator):
    assert connection.vendor == "postgresql"
    with at_race_points(lambda label: time.sleep(0.05)):
        errors, results = record_concurrently(coordinator, THREADS)
    assert len(results) == 1 and people() == 1
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, services.ClaimError) and "already recorded" in str(e) for e in errors)


def test_control_without_the_lock_records_the_person_more_than_once(coordinator):
    everyone_checked = threading.Barrier(THREADS)
    with locks_disabled(), at_race_points(lambda label: everyone_checked.wait(timeout=60)):
        errors, results = record_concurrently(coordinator, THREADS)
    assert errors == [] and people() == THREADS, "without the lock every coordinator records them again"
