"""Concurrent registrations on PostgreSQL: the lock keeps seats within capacity; without it, overbooking.

Each thread has its own database connection (Django gives every thread one) and all start together at a
barrier. The services mark the gap between counting and writing with `portal.locking.race_point`: the
locked test pauses there to widen the gap, and the control test holds every thread there until all have
counted, so without the lock the race happens every time, not by luck.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from events import services
from events.models import EventPage, Registration
from portal.locking import at_race_points, locks_disabled

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
    run_all(threads)
    return errors


def run_all(threads):
    """Starts the threads together and waits for each (two minutes at most)."""
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


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


def test_concurrent_registrations_never_overbook(race_event):
    assert connection.vendor == "postgresql"
    # A pause between counting and writing: the lock must hold however wide the gap is.
    with at_race_points(lambda label: time.sleep(0.05)):
        errors = run_concurrently(race_event, THREADS)
    assert errors == []
    confirmed = Registration.objects.filter(event=race_event, status="confirmed").count()
    waiting = Registration.objects.filter(event=race_event, status="waiting").count()
    assert confirmed == CAPACITY
    assert waiting == THREADS - CAPACITY
    assert services.confirmed_seats(race_event) == CAPACITY
    race_event.refresh_from_db()
    assert race_event.confirmed_seats == CAPACITY  # the column, written under the same lock


def test_publishing_while_people_register_keeps_the_seat_count(race_event):
    """Editors publish a revision made before anyone registered (its copy of the count is 0) while
    registrations and cancellations run: the column still equals the registrations' count."""
    race_event.capacity = THREADS  # everyone fits: each registration changes the count
    race_event.save()
    revision = race_event.save_revision()
    barrier = threading.Barrier(THREADS + 2)
    errors = []

    def publish():
        try:
            barrier.wait(timeout=30)
            for _ in range(3):
                revision.publish()
        except Exception as exc:  # collected and reported by the test
            errors.append(exc)
        finally:
            connection.close()

    def register_and_maybe_cancel(n):
        try:
            barrier.wait(timeout=30)
            data = {"name": f"Person {n}", "email": f"racer{n}@example.org", "preferred_contact": "email"}
            registration = services.register(race_event, data=data).registration
            if n % 3 == 0:
                services.cancel_registration(registration)
        except Exception as exc:  # collected and reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(2)]
    threads += [threading.Thread(target=register_and_maybe_cancel, args=(n,)) for n in range(THREADS)]
    run_all(threads)
    assert errors == []
    race_event.refresh_from_db()
    assert race_event.confirmed_seats == services.confirmed_seats(race_event) == THREADS - THREADS // 3


def test_control_without_the_lock_overbooks(race_event):
    # Every thread counts the seats before any of them writes; only the lock prevents what follows.
    everyone_counted = threading.Barrier(THREADS)
    with locks_disabled(), at_race_points(lambda label: everyone_counted.wait(timeout=60)):
        errors = run_concurrently(race_event, THREADS)
    assert errors == []
    confirmed = Registration.objects.filter(event=race_event, status="confirmed").count()
    assert Registration.objects.filter(event=race_event).count() == THREADS
    assert confirmed > CAPACITY, "without the lock the race should overbook; the lock is what prevents it"


def test_a_lock_held_too_long_is_a_clear_refusal(race_event, person, settings):
    """A registration waits for the event's lock at most ROW_LOCK_TIMEOUT_SECONDS, then is refused
    with a message (nothing is written), instead of hanging."""
    settings.ROW_LOCK_TIMEOUT_SECONDS = 0.2
    holding, release = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with transaction.atomic():
                EventPage.objects.select_for_update().get(pk=race_event.pk)
                holding.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert holding.wait(timeout=30)
        with pytest.raises(services.EventBusy, match="try again"):
            services.register(race_event, data=person())
    finally:
        release.set()
        holder.join(timeout=60)
    assert not Registration.objects.filter(event=race_event).exists()
    services.register(race_event, data=person())  # once the lock is free, it works
    assert Registration.objects.filter(event=race_event).count() == 1


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
    run_all(threads)
    assert sum(results) == 30
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == 30 and len(set(recipients)) == 30


def _feedback_workers(workers, hook):
    from portal.locking import at_race_points

    barrier = threading.Barrier(workers)
    runs, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=30)
            runs.append(services.send_feedback_requests())
        except Exception as exc:  # collected and reported by the test
            errors.append(exc)
        finally:
            connection.close()

    with at_race_points(hook):
        threads = [threading.Thread(target=worker) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    return runs, errors


@pytest.fixture
def ended_event(home_page):
    from events.factories import EventIndexPageFactory, EventPageFactory

    index = EventIndexPageFactory(parent=home_page)
    start = timezone.now() - timedelta(hours=5)
    return EventPageFactory(parent=index, capacity=None, start=start, end=start + timedelta(hours=2))


def test_concurrent_feedback_workers_invite_each_attendee_once(ended_event):
    from django.core import mail

    from events.factories import RegistrationFactory
    from events.models import FeedbackInvitation

    attendees = RegistrationFactory.create_batch(12, event=ended_event)
    mail.outbox.clear()
    # A pause between checking for an invitation and creating it: the lock must hold however wide it is.
    runs, errors = _feedback_workers(6, lambda label: time.sleep(0.02))
    assert errors == []
    assert sum(run.sent for run in runs) == 12
    assert sum(run.collided for run in runs) == 0  # the lock, not the constraint, kept them apart
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(a.email for a in attendees)
    assert FeedbackInvitation.objects.count() == 12


def test_control_without_the_lock_workers_collide_and_only_the_constraint_saves_it(ended_event):
    from django.core import mail

    from events.factories import RegistrationFactory
    from events.models import FeedbackInvitation

    workers = 4
    attendee = RegistrationFactory(event=ended_event)
    mail.outbox.clear()
    barrier = threading.Barrier(workers)

    def everyone_checks_before_anyone_writes(label):
        barrier.wait(timeout=30)

    with locks_disabled():
        runs, errors = _feedback_workers(workers, everyone_checks_before_anyone_writes)
    assert errors == []
    # Every worker passed the check: the race is real. The unique invitation turned all but one away.
    assert sum(run.collided for run in runs) == workers - 1
    assert sum(run.sent for run in runs) == 1
    assert [m.to for m in mail.outbox] == [[attendee.email]]
    assert FeedbackInvitation.objects.count() == 1


def _undo_races_registrations(event, registration, newcomers):
    """One person undoing their cancellation (three clicks at once) while `newcomers` register."""
    barrier = threading.Barrier(newcomers + 3)
    errors = []

    def undo():
        try:
            barrier.wait(timeout=30)
            services.undo_cancellation(registration, join_waiting_list=True)
        except services.RegistrationRefused:
            pass  # the seat went first, and it was offered the waiting list: a right answer too
        except Exception as exc:  # collected and reported by the test
            errors.append(exc)
        finally:
            connection.close()

    def newcomer(n):
        try:
            barrier.wait(timeout=30)
            data = {"name": f"Person {n}", "email": f"newcomer{n}@example.org", "preferred_contact": "email"}
            services.register(event, data=data)
        except Exception as exc:  # collected and reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=undo) for _ in range(3)]
    threads += [threading.Thread(target=newcomer, args=(n,)) for n in range(newcomers)]
    run_all(threads)
    return errors


@pytest.fixture
def cancelled_last_seat(race_event):
    """The event with one seat, whose holder has just cancelled it."""
    race_event.capacity = 1
    race_event.save()
    data = {"name": "Ana", "email": "ana@example.org", "preferred_contact": "email"}
    registration = services.register(race_event, data=data).registration
    services.cancel_registration(registration)
    return registration


def test_an_undo_racing_new_registrations_never_overbooks(race_event, cancelled_last_seat):
    with at_race_points(lambda label: time.sleep(0.05)):
        errors = _undo_races_registrations(race_event, cancelled_last_seat, THREADS)
    assert errors == []
    confirmed = Registration.objects.filter(event=race_event, status="confirmed")
    assert confirmed.count() == 1
    race_event.refresh_from_db()
    assert race_event.confirmed_seats == services.confirmed_seats(race_event) == 1
    # Whoever got the seat, Ana has it or waits for it: her undo never left her cancelled by error.
    cancelled_last_seat.refresh_from_db()
    assert cancelled_last_seat.status in ("confirmed", "waiting")


def test_control_without_the_lock_an_undo_overbooks(race_event, cancelled_last_seat):
    everyone_counted = threading.Barrier(THREADS + 3)
    with locks_disabled(), at_race_points(lambda label: everyone_counted.wait(timeout=60)):
        errors = _undo_races_registrations(race_event, cancelled_last_seat, THREADS)
    assert errors == []
    confirmed = Registration.objects.filter(event=race_event, status="confirmed").count()
    assert confirmed > 1, "without the lock the race should overbook; the lock is what prevents it"
