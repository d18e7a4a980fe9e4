"""Concurrent registrations on PostgreSQL: the lock keeps seats within capacity; without it, overbooking.

Each thread has its own database connection (Django gives every thread one) and all start together at a
barrier. RACE_WINDOW_SECONDS widens the gap between counting and writing in both tests alike, so the
control test shows the race reliably instead of by luck.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from events import services
from events.models import Registration

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 24
CAPACITY = 5


def run_concurrently(event, count):
    barrier = threading.Barrier(count)
    errors = []

    def worker(n):
        try:
            barrier.wait(timeout=30)
            services.register(
                event,
                data={"name": f"Person {n}", "email": f"racer{n}@example.org", "preferred_contact": "email"},
            )
        except Exception as exc:  # collected and reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.fixture(autouse=True)
def _hooks_loaded():
    # Wagtail imports every app's wagtail_hooks on first use; do it here, not racing in the threads.
    from wagtail import hooks

    hooks.search_for_hooks()


@pytest.fixture
def race_event(home_page):
    from events.factories import EventIndexPageFactory, EventPageFactory

    index = EventIndexPageFactory(parent=home_page)
    start = timezone.now() + timedelta(days=7)
    return EventPageFactory(parent=index, capacity=CAPACITY, start=start, end=start + timedelta(hours=2))


@pytest.fixture
def race_window(monkeypatch):
    monkeypatch.setattr(services, "RACE_WINDOW_SECONDS", 0.05)


def test_concurrent_registrations_never_overbook(race_event, race_window):
    assert connection.vendor == "postgresql"
    errors = run_concurrently(race_event, THREADS)
    assert errors == []
    confirmed = Registration.objects.filter(event=race_event, status="confirmed").count()
    waiting = Registration.objects.filter(event=race_event, status="waiting").count()
    assert confirmed == CAPACITY
    assert waiting == THREADS - CAPACITY
    assert services.confirmed_seats(race_event) == CAPACITY


def test_control_without_the_lock_overbooks(race_event, race_window, monkeypatch):
    monkeypatch.setattr(services, "USE_EVENT_LOCK", False)
    errors = run_concurrently(race_event, THREADS)
    assert errors == []
    confirmed = Registration.objects.filter(event=race_event, status="confirmed").count()
    assert Registration.objects.filter(event=race_event).count() == THREADS
    assert confirmed > CAPACITY, "without the lock the race should overbook; the lock is what prevents it"


def test_concurrent_reminder_workers_send_each_reminder_once(home_page):
    from django.core import mail

    from events.factories import EventIndexPageFactory, EventPageFactory, RegistrationFactory

    index = EventIndexPageFactory(parent=home_page)
    start = timezone.now() + timedelta(hours=3)
    event = EventPageFactory(parent=index, capacity=None, start=start, end=start + timedelta(hours=1))
    RegistrationFactory.create_batch(30, event=event)
    mail.outbox.clear()
    workers = 6
    barrier = threading.Barrier(workers)
    results = []

    def worker():
        try:
            barrier.wait(timeout=30)
            results.append(services.send_due_reminders())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(results) == 30
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == 30 and len(set(recipients)) == 30
