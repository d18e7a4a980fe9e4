"""The portal's own schedule: every periodic management command, run when due by `manage.py run_schedule`.

The schedule itself is the setting `SCHEDULE` (portal/settings/base.py): job name -> the command to run
and either `every_minutes` (slots at fixed multiples of that many minutes, counted from 00:00 UTC, so
every machine agrees on them) or `daily_at` ("HH:MM", local time in `TIME_ZONE`, Europe/London).

What must stay true:
- A job's *slot* is the moment it became due. Before running a slot a scheduler claims it by inserting
  the row (job, slot) into `ScheduledRun`, which has a unique constraint on the pair: two schedulers
  (two threads, two processes, two machines) can never both run the same slot, on any database.
- Only the latest due slot of each job is run: a scheduler that was stopped for a day runs each job
  once when it starts again, not once per missed slot. Every command in the schedule is idempotent
  (reminders, notices and feedback requests are claimed per person; purges and reconciliation only act
  on what is still due), so running late, or twice by hand, is harmless.
- A claimed slot is never retried: a job that fails (its error is kept on the row and logged) runs again
  at its next slot. A scheduler killed mid-job leaves the row with no `finished` time.
- Time comes from a clock object (`now()`, `sleep(seconds)`), so tests drive the scheduler through a
  week with a fake clock and no waiting.
"""

import datetime
import io
import logging
import os
import socket
import threading
import traceback
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command, get_commands
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.utils import timezone

from portal.locking import race_point

logger = logging.getLogger(__name__)

UTC = datetime.UTC
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
# The longest a running scheduler sleeps, so a changed clock (or a stop signal) is noticed promptly.
MAX_SLEEP_SECONDS = 60


@dataclass(frozen=True)
class Job:
    name: str
    command: str
    args: tuple = ()
    every_minutes: int | None = None
    daily_at: datetime.time | None = None

    def describe(self):
        if self.every_minutes:
            return f"every {self.every_minutes} minutes"
        return f"daily at {self.daily_at:%H:%M} ({settings.TIME_ZONE})"

    def latest_slot(self, now):
        """The most recent moment at or before `now` when this job was due (aware, UTC)."""
        now = now.astimezone(UTC)
        if self.every_minutes:
            step = datetime.timedelta(minutes=self.every_minutes)
            return EPOCH + ((now - EPOCH) // step) * step
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        local_date = now.astimezone(zone).date()
        for days_back in (0, 1, 2):
            slot = self._daily_slot(local_date - datetime.timedelta(days=days_back), zone)
            if slot <= now:
                return slot
        raise AssertionError("a daily slot always falls within two days")  # pragma: no cover

    def next_slot(self, now):
        """The first moment after `now` when this job falls due."""
        now = now.astimezone(UTC)
        if self.every_minutes:
            return self.latest_slot(now) + datetime.timedelta(minutes=self.every_minutes)
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        local_date = now.astimezone(zone).date()
        for days_ahead in (0, 1, 2):
            slot = self._daily_slot(local_date + datetime.timedelta(days=days_ahead), zone)
            if slot > now:
                return slot
        raise AssertionError("a daily slot always falls within two days")  # pragma: no cover

    def _daily_slot(self, day, zone):
        # A local time that a clock change skips (spring) maps to the hour after; one it repeats
        # (autumn) is its first occurrence (fold=0). Either way one slot per local day.
        local = datetime.datetime.combine(day, self.daily_at, tzinfo=zone)
        return local.astimezone(UTC)


def parse_schedule(schedule):
    """The `SCHEDULE` setting as a list of Jobs, or ImproperlyConfigured naming what is wrong."""
    known = get_commands()
    jobs = []
    for name, entry in schedule.items():
        if not isinstance(entry, dict) or "command" not in entry:
            raise ImproperlyConfigured(f"SCHEDULE[{name!r}] needs a 'command'.")
        unknown = set(entry) - {"command", "args", "every_minutes", "daily_at"}
        if unknown:
            raise ImproperlyConfigured(f"SCHEDULE[{name!r}] has unknown keys: {', '.join(sorted(unknown))}.")
        if entry["command"] not in known:
            raise ImproperlyConfigured(
                f"SCHEDULE[{name!r}] names the command {entry['command']!r}, which does not exist."
            )
        if ("every_minutes" in entry) == ("daily_at" in entry):
            raise ImproperlyConfigured(
                f"SCHEDULE[{name!r}] needs exactly one of 'every_minutes' and 'daily_at'."
            )
        every = entry.get("every_minutes")
        daily_at = None
        if every is not None and (not isinstance(every, int) or not 1 <= every <= 24 * 60):
            raise ImproperlyConfigured(
                f"SCHEDULE[{name!r}]['every_minutes'] must be a whole number, 1 to 1440."
            )
        if "daily_at" in entry:
            try:
                daily_at = datetime.time.fromisoformat(entry["daily_at"])
            except (TypeError, ValueError):
                raise ImproperlyConfigured(
                    f"SCHEDULE[{name!r}]['daily_at'] must be a time of day such as '03:30'."
                ) from None
        jobs.append(
            Job(
                name=name,
                command=entry["command"],
                args=tuple(entry.get("args", ())),
                every_minutes=every,
                daily_at=daily_at,
            )
        )
    return jobs


def configured_jobs():
    return parse_schedule(settings.SCHEDULE)


class SystemClock:
    """Real time. `sleep` returns early once `stop()` has been called (SIGTERM, Ctrl-C)."""

    def __init__(self):
        self._stopped = threading.Event()

    def now(self):
        return timezone.now()

    def sleep(self, seconds):
        self._stopped.wait(max(seconds, 0))

    def stop(self):
        self._stopped.set()

    @property
    def stopped(self):
        return self._stopped.is_set()


def default_worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"


def run_command(job):
    """Runs the job's command in this process; returns what it printed."""
    out = io.StringIO()
    call_command(job.command, *job.args, stdout=out, stderr=out)
    return out.getvalue()


def _close_old_connections():
    """A long-lived process must drop a broken or expired connection, as a request's end would. Never
    inside a transaction (only a test runs the scheduler inside one)."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


class Scheduler:
    """Runs each job's latest due slot once, whichever scheduler claims it first.

    `runner(job)` does the work (the management command by default) and returns its output."""

    def __init__(self, jobs, *, clock, name=None, runner=run_command):
        self.jobs = list(jobs)
        self.clock = clock
        self.name = name or default_worker_name()
        self.runner = runner
        # The last slot this scheduler saw through per job: saves a database round trip per job per wake.
        self._seen = {}

    def claim(self, job, slot):
        """True if this scheduler now owns (job, slot); False if another already claimed it."""
        from portal.models import ScheduledRun

        race_point("portal.scheduler.claim")
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(
                    job=job.name, slot=slot, claimed_by=self.name, started=self.clock.now()
                )
        except IntegrityError:
            return False
        return True

    def run_due(self):
        """Runs every job whose latest slot is due and unclaimed; returns the (job name, slot) pairs run."""
        ran = []
        for job in self.jobs:
            slot = job.latest_slot(self.clock.now())
            if self._seen.get(job.name) == slot:
                continue
            claimed = self.claim(job, slot)
            self._seen[job.name] = slot
            if not claimed:
                continue
            self._run(job, slot)
            ran.append((job.name, slot))
        return ran

    def _run(self, job, slot):
        from portal.models import ScheduledRun

        logger.info("scheduler %s: %s (due %s) starting", self.name, job.name, slot.isoformat())
        try:
            output = self.runner(job)
        except Exception:
            succeeded, output = False, traceback.format_exc()
            logger.exception("scheduler %s: %s (due %s) failed", self.name, job.name, slot.isoformat())
        else:
            succeeded = True
        ScheduledRun.objects.filter(job=job.name, slot=slot).update(
            finished=self.clock.now(), succeeded=succeeded, output=(output or "")[-4000:]
        )

    def seconds_until_next(self):
        now = self.clock.now()
        upcoming = min(job.next_slot(now) for job in self.jobs)
        return max((upcoming - now).total_seconds(), 0)

    def run_forever(self, *, stopped=lambda: False):
        """Wakes at each job's next slot (at least every minute) until `stopped()` is true."""
        while not stopped():
            _close_old_connections()
            try:
                self.run_due()
            except DatabaseError:
                logger.exception("scheduler %s: the database is unavailable; trying again shortly", self.name)
            if stopped():
                break
            self.clock.sleep(min(self.seconds_until_next(), MAX_SLEEP_SECONDS))
