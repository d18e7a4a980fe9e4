"""Two coordinators booking the same person without e-mail at once, on PostgreSQL: no unique constraint
can tell them apart (their e-mail is blank), so only the event's lock keeps it to one booking. The control
test shows the duplicate the lock prevents. Reminder workers add each offline reminder once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from events import services
from events.models import ContactTask, Registration
from portal.locking import at_race_points, locks_disabled

from .test_concurrency import run_all

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COORDINATORS = 4


@pytest.fixture(autouse=True)
def _hooks_loaded():
    from wagtail import hooks

    hooks.search_for_hooks()


@pytest.fixture
def event(home_page):
    from events.factories import EventIndexPageFactory, EventPageFactory

    index = EventIndexPageFactory(parent=home_page)
    start = timezone.now() + timedelta(days=7)
    return EventPageFactory(parent=index, capacity=10, start=start, end=start + timedelta(hours=2))


def book_at_once(event, coordinator):
    barrier = threading.Barrier(COORDINATORS)
    outcomes, errors = [], []
    data = {"name": "Olive Offline", "phone": "0117 496 0123", "consent_to_keep_contact_details": True}

    def worker():
        try:
            barrier.wait(timeout=30)
            services.register(event, data=data, entered_by=coordinator)
            outcomes.append("booked")
        except services.AlreadyRegistered:
            outcomes.append("already")
        except Exception as exc:  # collected and reported by the test
            errors.append(exc)
        finally:
            connection.close()

    run_all([threading.Thread(target=worker) for _ in range(COORDINATORS)])
    return outcomes, errors


def test_the_same_person_is_booked_once(event, coordinator):
    assert connection.vendor == "postgresql"
    outcomes, errors = book_at_once(event, coordinator)
    assert errors == []
    assert sorted(outcomes) == ["already"] * (COORDINATORS - 1) + ["booked"]
    assert Registration.objects.filter(event=event).count() == 1
    assert ContactTask.objects.count() == 1


def test_control_without_the_lock_books_them_twice(event, coordinator):
    everyone_looked = threading.Barrier(COORDINATORS)
    with locks_disabled(), at_race_points(lambda label: everyone_looked.wait(timeout=60)):
        outcomes, errors = book_at_once(event, coordinator)
    assert errors == []
    assert Registration.objects.filter(event=event).count() > 1, "without the lock the race should duplicate"


def test_concurrent_reminder_workers_add_each_call_once(event, coordinator):
    event.start = timezone.now() + timedelta(hours=3)
    event.end = event.start + timedelta(hours=1)
    event.capacity = None
    event.save()
    for n in range(12):
        data = {"name": f"Offline {n}", "phone": f"0117 496 {n:04}", "consent_to_keep_contact_details": True}
        services.register(event, data=data, entered_by=coordinator)
    ContactTask.objects.all().delete()
    workers = 4
    barrier = threading.Barrier(workers)
    results = []

    def worker():
        try:
            barrier.wait(timeout=30)
            results.append(services.send_due_reminders())
        finally:
            connection.close()

    run_all([threading.Thread(target=worker) for _ in range(workers)])
    assert sum(results) == 12
    assert ContactTask.objects.filter(kind="reminder").count() == 12
