"""`make bench BENCH_ARGS=--registrations`: registration throughput, e-mails sent in the request or queued.

`--clients` concurrent visitors (threads, each with its own connection, csrftoken cookie and form token,
from one GET of the event page) POST registrations with unique e-mail addresses, back to back, for
`--registration-seconds`, to one event with a capacity (200) and a waiting list (made here the first
time; its registrations are deleted before each measurement). Measured twice, the server restarted in
between: TASKS_BACKEND=immediate (the confirmation e-mail is built and sent inside the request, today's
behaviour) and TASKS_BACKEND=database (it is queued in the database; no worker runs, and the queued
tasks are deleted afterwards). After each, the database is read: confirmed seats must not exceed the
capacity (the bench exits non-zero if they do). The bare view is measured by the same clients just
before each, for the ratio. The production shape: BENCH_DATABASE_URL=postgres://... --workers 2.

The bench settings send e-mail to Django's locmem backend, so "sent inside the request" costs building
and rendering the message but no SMTP round trip: in production the immediate figure is lower.
"""

import statistics
import sys
import threading
import time

from bench.server import BARE, serving
from bench.visitor import Visitor, registered

DOMAIN = "throughput.bench.example.org"
SLUG = "bench-registration-throughput"
CAPACITY = 200


def throughput_event(stdout):
    """The event the clients fill: made under the events index the first time (idempotent), and kept
    ahead with registration open when the bench database is reused months later. Not part of
    `events.bench.setup`, whose data set (and the tests that scale it down) count exactly its events."""
    from datetime import timedelta

    from django.utils import timezone

    from events.bench import _index
    from events.models import EventPage

    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    start = now + timedelta(days=400)
    event = EventPage.objects.filter(slug=SLUG).first()
    if event is None:
        event = EventPage(
            title="Bench registration throughput",
            slug=SLUG,
            summary="Filled by make bench --registrations: concurrent registrations, then a waiting list.",
            event_type=EventPage.EventType.values[0],
            format=EventPage.Format.values[0],
            start=start,
            end=start + timedelta(hours=2),
            venue_name="Bench Hall",
            venue_address="1 Bench Road\nBristol",
            capacity=CAPACITY,
            waiting_list_enabled=True,
            contact_phone="0117 496 0000",
            live=True,
            first_published_at=now,
            last_published_at=now,
        )
        _index().add_child(instance=event)
        stdout.write(f"  created the registration throughput event ({event.url})\n")
    elif (
        event.start < now + timedelta(days=30) or event.capacity != CAPACITY or not event.waiting_list_enabled
    ):
        event.start, event.end = start, start + timedelta(hours=2)
        event.capacity, event.waiting_list_enabled = CAPACITY, True
        event.registration_opens_at = event.registration_closes_at = None
        event.save()
    return event


def delete_registrations(registrations):
    """Deletes bench registrations and their audit entries."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from wagtail.models import ModelLogEntry

    from events.models import Registration

    ids = [str(pk) for pk in registrations.values_list("pk", flat=True)]
    with transaction.atomic():
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Registration), object_id__in=ids
        ).delete()
        registrations.delete()


def reset(event):
    """Empties the event: each measurement starts with no registrations."""
    from events.models import Registration

    delete_registrations(Registration.objects.filter(event=event))


def state(event):
    from events.models import Registration

    registrations = Registration.objects.filter(event=event)
    counts = {
        status: registrations.filter(status=status).count()
        for status in (Registration.Status.CONFIRMED, Registration.Status.WAITING)
    }
    return {
        "confirmed seats": registrations.confirmed_seats(),
        "confirmed": counts[Registration.Status.CONFIRMED],
        "waiting": counts[Registration.Status.WAITING],
        "rows": registrations.count(),
    }


def _drive(clients, seconds, work):
    """Runs `work(client_number, deadline, results)` in `clients` threads started together; returns the
    results and the wall time from the start until the last thread finished its last request."""
    results = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)
    box = {}

    def body(n):
        barrier.wait()
        work(n, box["deadline"], results[n])

    threads = [threading.Thread(target=body, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    box["deadline"] = started + seconds
    barrier.wait()
    for thread in threads:
        thread.join()
    return [item for per_client in results for item in per_client], time.perf_counter() - started


def bare_rate(port, clients, seconds):
    def work(_n, deadline, out):
        visitor = Visitor(port)
        while time.perf_counter() < deadline:
            response, _content = visitor._send("GET", BARE)
            out.append(response.status)

    statuses, elapsed = _drive(clients, seconds, work)
    bad = [s for s in statuses if s != 200]
    if bad:
        raise SystemExit(f"the bare view answered {bad[0]}")
    return len(statuses) / elapsed


def registration_rate(port, path, clients, seconds, label):
    def work(n, deadline, out):
        visitor = Visitor(port)
        status = visitor.open_form(path)
        if status != 200 or not visitor.token or not visitor.cookie:
            out.append(("form", f"GET {status}", 0.0))
            return
        i = 0
        while time.perf_counter() < deadline:
            i += 1
            email = f"{label}-{n}-{i}@{DOMAIN}"
            try:
                status, location, took = visitor.register(
                    path, email, f"Bench client {n}.{i}", carer=i % 5 == 0
                )
            except OSError as exc:
                out.append(("error", type(exc).__name__, 0.0))
                continue
            if registered(status, location):
                out.append(("made", "", took))
            else:
                out.append(("error", f"{status} {location}".strip(), took))

    outcomes, elapsed = _drive(clients, seconds, work)
    made = [took for kind, _why, took in outcomes if kind == "made"]
    errors = {}
    for kind, why, _took in outcomes:
        if kind != "made":
            errors[why] = errors.get(why, 0) + 1
    return {
        "made": len(made),
        "rate": len(made) / elapsed,
        "errors": errors,
        "p50 ms": statistics.median(made) * 1000 if made else 0.0,
        "max ms": max(made) * 1000 if made else 0.0,
        "elapsed": elapsed,
    }


def queued_tasks_since(moment):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(enqueued_at__gte=moment)


def run(args):
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    event = throughput_event(sys.stdout)
    path = event.url
    results = []
    overbooked = False
    for backend in ("immediate", "database"):
        reset(event)
        connection.close()  # nothing of the driver's held open while the servers write
        since = timezone.now()
        with serving(args.workers, env={"TASKS_BACKEND": backend}) as port:
            bare = bare_rate(port, args.clients, min(5.0, args.registration_seconds))
            measured = registration_rate(port, path, args.clients, args.registration_seconds, backend)
        seen = state(event)
        queued = 0
        if backend == "database":
            tasks = queued_tasks_since(since)
            queued = tasks.count()
            tasks.delete()
        over = seen["confirmed seats"] > event.capacity
        overbooked = overbooked or over
        results.append((backend, bare, measured, seen, queued, over))
    reset(event)

    print()
    print(
        f"Registration throughput: {args.clients} concurrent clients, {args.registration_seconds:g} s each,"
        f" one event ({path}) with capacity {event.capacity} and a waiting list"
    )
    print(
        f"gunicorn, {args.workers} sync worker(s); database: {connection.vendor};"
        f" e-mail backend: {settings.EMAIL_BACKEND.rsplit('.', 2)[-2]}"
    )
    print()
    print(
        f"{'e-mails (TASKS_BACKEND)':<28} {'bare req/s':>11} {'registrations':>14} {'per s':>8} {'ratio':>7}"
        f" {'p50 ms':>8} {'max ms':>8} {'errors':>7} {'confirmed seats':>16} {'waiting':>8}"
        f" {'queued':>7} {'overbooked':>11}"
    )
    for backend, bare, m, seen, queued, over in results:
        label = "sent in request (immediate)" if backend == "immediate" else "queued (database)"
        print(
            f"{label:<28} {bare:11.1f} {m['made']:>14} {m['rate']:8.1f} {m['rate'] / bare:7.3f}"
            f" {m['p50 ms']:8.0f} {m['max ms']:8.0f} {sum(m['errors'].values()):>7}"
            f" {seen['confirmed seats']:>10}/{event.capacity:<5} {seen['waiting']:>8} {queued if backend == 'database' else '-':>7}"
            f" {'YES' if over else 'no':>11}"
        )
        for why, n in sorted(m["errors"].items()):
            print(f"    {n} x {why}")
        if seen["rows"] != m["made"]:
            print(f"    note: {seen['rows']} registrations in the database, {m['made']} answered as made")
    immediate, database = results[0][2]["rate"], results[1][2]["rate"]
    ratio = database / immediate if immediate else float("inf")
    print()
    print(f"queued / sent in the request: {ratio:.2f}x (goal >= 2x)")
    print("the queued tasks were deleted; confirmed seats read from the database after each run")
    if overbooked:
        raise SystemExit("OVERBOOKED: confirmed seats exceed the capacity")
