"""The schedule (portal/scheduler.py, `manage.py run_schedule`): every periodic command runs when due and
each due slot once, however many schedulers run, driven through a week by a fake clock (no waiting)."""

import datetime
import random
import zoneinfo
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from portal import scheduler
from portal.models import ScheduledRun

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
LONDON = zoneinfo.ZoneInfo("Europe/London")
# A week across the end of British Summer Time (Sunday 25 October 2026, 02:00 BST -> 01:00 GMT).
WEEK_START = datetime.datetime(2026, 10, 22, 0, 0, tzinfo=UTC)
WEEK_END = WEEK_START + datetime.timedelta(days=7)

# Management commands that are not periodic: run by people, once, or by the scheduler itself.
NOT_PERIODIC = {
    "load_demo_data",
    "import_resources",
    "make_brand_icons",
    "run_schedule",
    "backup_site",
    "restore_site",
}


class FakeClock:
    def __init__(self, now, until=None):
        self.current = now
        self.until = until
        self.slept = []

    def now(self):
        return self.current

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.current += datetime.timedelta(seconds=seconds)

    def stopped(self):
        return self.until is not None and self.current >= self.until


class Recorder:
    """Stands in for the commands: notes which job ran at what (fake) time, for which slot, by which scheduler."""

    def __init__(self, clock):
        self.clock = clock
        self.runs = []

    def runner_for(self, scheduler_name):
        def run(job):
            now = self.clock.now()
            self.runs.append((job.name, now, scheduler_name, job.latest_slot(now)))
            return f"{job.name} done"

        return run


def make_scheduler(clock, recorder, name):
    return scheduler.Scheduler(
        scheduler.configured_jobs(), clock=clock, name=name, runner=recorder.runner_for(name)
    )


def expected_slots(job, start, end):
    """Every moment in [start, end) when the job falls due, computed here independently of the scheduler."""
    if job.every_minutes:
        step = datetime.timedelta(minutes=job.every_minutes)
        slot = start  # WEEK_START is midnight UTC, a multiple of every interval in the schedule
        slots = []
        while slot < end:
            slots.append(slot)
            slot += step
        return slots
    slots = []
    day = (start - datetime.timedelta(days=1)).astimezone(LONDON).date()
    while True:
        slot = datetime.datetime.combine(day, job.daily_at, tzinfo=LONDON).astimezone(UTC)
        if slot >= end:
            return slots
        slots.append(slot)
        day += datetime.timedelta(days=1)


def project_commands():
    found = set()
    for app in settings.PROJECT_APPS:
        for path in (Path(settings.BASE_DIR) / app / "management" / "commands").glob("*.py"):
            if path.stem != "__init__":
                found.add(path.stem)
    return found


def test_every_periodic_command_in_the_project_is_in_the_schedule():
    scheduled = {job.command for job in scheduler.configured_jobs()}
    commands = project_commands()
    assert "purge_application_access_needs" in scheduled
    assert commands - NOT_PERIODIC == scheduled, (
        "a management command is neither scheduled (SCHEDULE) nor listed as not periodic here"
    )


def test_one_scheduler_runs_every_job_at_each_slot_through_a_week_once():
    clock = FakeClock(WEEK_START, until=WEEK_END)
    recorder = Recorder(clock)
    make_scheduler(clock, recorder, "one").run_forever(stopped=clock.stopped)

    jobs = scheduler.configured_jobs()
    for job in jobs:
        runs = [at for name, at, _, _ in recorder.runs if name == job.name]
        slots = expected_slots(job, WEEK_START, WEEK_END)
        assert len(runs) == len(slots), job.name
        if job.every_minutes:
            # On time, every time.
            assert runs == slots, job.name
        else:
            # Started mid-week, the scheduler first catches up on the previous day's run (once), then
            # runs at the time of day, 7 times, in London time across the clock change.
            assert runs[0] == WEEK_START and slots[0] < WEEK_START
            assert runs[1:] == slots[1:]
            assert len(runs[1:]) == 7
            assert {at.astimezone(LONDON).time() for at in runs[1:]} == {job.daily_at}
    # Each slot is recorded once and finished successfully.
    assert ScheduledRun.objects.count() == len(recorder.runs)
    assert not ScheduledRun.objects.exclude(succeeded=True).exists()
    assert ScheduledRun.objects.filter(job="send_event_reminders").count() == 7 * 24 * 12
    notices = ScheduledRun.objects.filter(job="send_late_payment_notices", slot__gte=WEEK_START)
    assert sorted({slot.hour for slot in notices.values_list("slot", flat=True)}) == [8, 9]  # BST, then GMT
    # It never slept past a slot, and never more than a minute.
    assert max(clock.slept) <= scheduler.MAX_SLEEP_SECONDS


def test_two_schedulers_interleaved_through_a_week_run_each_slot_once():
    clock = FakeClock(WEEK_START)
    recorder = Recorder(clock)
    first, second = make_scheduler(clock, recorder, "first"), make_scheduler(clock, recorder, "second")
    shuffle = random.Random(23)
    while clock.now() < WEEK_END:
        pair = [first, second]
        shuffle.shuffle(pair)
        for each in pair:
            # Now and then one of them is busy and wakes a few seconds late, or misses a wake altogether.
            if shuffle.random() < 0.1:
                continue
            each.run_due()
        clock.sleep(min(first.seconds_until_next(), scheduler.MAX_SLEEP_SECONDS))

    ran = Counter((name, slot) for name, _, _, slot in recorder.runs)
    assert max(ran.values()) == 1
    for job in scheduler.configured_jobs():
        slots = {slot for name, slot in ran if name == job.name}
        assert slots == set(expected_slots(job, WEEK_START, WEEK_END)), job.name
    # Late only when both happened to miss a wake (they wake every minute): a few minutes at most.
    assert all(
        at - slot <= datetime.timedelta(minutes=3) for _, at, _, slot in recorder.runs if slot >= WEEK_START
    )
    assert {who for _, _, who, _ in recorder.runs} == {"first", "second"}
    claims = Counter(ScheduledRun.objects.values_list("claimed_by", flat=True))
    assert claims["first"] > 100 and claims["second"] > 100


def test_a_slot_already_run_is_not_run_again_by_the_same_or_a_new_scheduler():
    clock = FakeClock(WEEK_START + datetime.timedelta(minutes=7))
    recorder = Recorder(clock)
    first = make_scheduler(clock, recorder, "first")
    assert len(first.run_due()) == len(scheduler.configured_jobs())
    assert first.run_due() == []
    assert make_scheduler(clock, recorder, "restarted").run_due() == []
    clock.sleep(3 * 60)  # 00:10: the next slot of the 5- and 10-minute jobs
    assert sorted(name for name, _ in first.run_due()) == ["reconcile_payouts", "send_event_reminders"]


def test_a_failing_job_is_recorded_and_the_others_still_run_and_it_runs_again_at_its_next_slot():
    clock = FakeClock(WEEK_START)
    recorder = Recorder(clock)
    record = recorder.runner_for("one")

    def runner(job):
        if job.name == "send_event_reminders":
            raise RuntimeError("mail server down")
        return record(job)

    one = scheduler.Scheduler(scheduler.configured_jobs(), clock=clock, name="one", runner=runner)
    one.run_due()
    failed = ScheduledRun.objects.get(job="send_event_reminders")
    assert failed.succeeded is False and "mail server down" in failed.output and failed.finished == WEEK_START
    assert len(recorder.runs) == len(scheduler.configured_jobs()) - 1
    assert one.run_due() == []  # not retried within its slot
    clock.sleep(5 * 60)
    assert ("send_event_reminders", WEEK_START + datetime.timedelta(minutes=5)) in one.run_due()


def test_slots_follow_london_time_across_both_clock_changes(settings):
    settings.TIME_ZONE = "Europe/London"
    at_0130 = scheduler.Job(name="early", command="purge_access_needs", daily_at=datetime.time(1, 30))
    # 29 March 2026: 01:00 GMT jumps to 02:00 BST, so 01:30 does not exist: it runs at 02:30 BST.
    spring = at_0130.next_slot(datetime.datetime(2026, 3, 29, 0, 0, tzinfo=UTC))
    assert spring == datetime.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert at_0130.next_slot(spring) == datetime.datetime(2026, 3, 30, 0, 30, tzinfo=UTC)
    # 25 October 2026: 01:30 happens twice; it runs once, at the first.
    autumn = at_0130.next_slot(datetime.datetime(2026, 10, 24, 23, 0, tzinfo=UTC))
    assert autumn == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert at_0130.next_slot(autumn) == datetime.datetime(2026, 10, 26, 1, 30, tzinfo=UTC)
    assert at_0130.latest_slot(autumn + datetime.timedelta(hours=1)) == autumn


@pytest.fixture
def fixed_now(monkeypatch):
    """The command's real clock, pinned: both runs fall in the same slot whatever the time of day."""
    now = datetime.datetime(2026, 12, 7, 10, 2, tzinfo=UTC)
    monkeypatch.setattr(scheduler.SystemClock, "now", lambda self: now)
    return now


def test_run_schedule_once_runs_the_real_commands_then_nothing_until_the_next_slot(fixed_now):
    out = StringIO()
    call_command("run_schedule", "--once", stdout=out)
    jobs = scheduler.configured_jobs()
    assert f"{len(jobs)} job(s) ran" in out.getvalue()
    runs = {run.job: run for run in ScheduledRun.objects.all()}
    assert set(runs) == {job.name for job in jobs}
    assert all(run.succeeded for run in runs.values()), {run.job: run.output for run in runs.values()}
    assert "Sent 0 reminder(s)." in runs["send_event_reminders"].output
    assert "Deleted access information from 0 application(s)" in runs["purge_application_access_needs"].output

    again = StringIO()
    call_command("run_schedule", "--once", stdout=again)
    assert "0 job(s) ran" in again.getvalue()


def test_run_schedule_list_shows_each_job_its_timing_and_last_run(fixed_now):
    call_command("run_schedule", "--once", stdout=StringIO())
    out = StringIO()
    call_command("run_schedule", "--list", stdout=out)
    text = out.getvalue()
    assert (
        "send_event_reminders: manage.py send_event_reminders, every 5 minutes; next due 2026-12-07 10:05 UTC"
        in text
    )
    assert (
        "send_late_payment_notices: manage.py send_late_payment_notices, daily at 09:15 (Europe/London)"
        in text
    )
    assert text.count("succeeded") == len(scheduler.configured_jobs())


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ({"x": {"command": "no_such_command", "every_minutes": 5}}, "does not exist"),
        ({"x": {"command": "purge_access_needs"}}, "exactly one of"),
        ({"x": {"command": "purge_access_needs", "daily_at": "25:99"}}, "time of day"),
        ({"x": {"command": "purge_access_needs", "every_minutes": 0}}, "1 to 1440"),
        ({"x": {"command": "purge_access_needs", "every_minutes": 5, "when": 1}}, "unknown keys: when"),
        ({}, "lists no jobs"),
    ],
)
def test_a_wrong_schedule_setting_is_a_clear_message(settings, schedule, message):
    settings.SCHEDULE = schedule
    with pytest.raises(CommandError, match=message):
        call_command("run_schedule", "--once", stdout=StringIO())


def test_forget_scheduled_runs_keeps_only_the_recent_history(settings):
    from django.utils import timezone

    settings.SCHEDULE_HISTORY_DAYS = 30
    now = timezone.now()
    for days_ago in (40, 31, 29, 1):
        ScheduledRun.objects.create(
            job="send_event_reminders",
            slot=now - datetime.timedelta(days=days_ago),
            claimed_by="test",
            started=now - datetime.timedelta(days=days_ago),
        )
    out = StringIO()
    call_command("forget_scheduled_runs", stdout=out)
    assert "Forgot 2 scheduled run(s)" in out.getvalue()
    assert ScheduledRun.objects.count() == 2


THREADS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_schedulers_racing_on_postgresql_for_one_slot_run_it_exactly_once():
    """Eight schedulers (threads, each with its own connection) wake at the same moment; all of them
    reach the claim before any inserts (a barrier at the race point), and exactly one runs each job."""
    import threading

    from django.db import connection

    from portal.locking import at_race_points

    now = WEEK_START + datetime.timedelta(minutes=1)
    jobs = scheduler.configured_jobs()
    ran, errors = [], []
    # Every thread waits here before each job's claim, so each of the jobs' slots is raced for by all.
    all_at_the_claim = threading.Barrier(THREADS)

    def hook(label):
        if label == "portal.scheduler.claim":
            all_at_the_claim.wait(timeout=30)

    def worker(n):
        try:
            clock = FakeClock(now)

            def runner(job):
                ran.append((job.name, n))
                return ""

            scheduler.Scheduler(jobs, clock=clock, name=f"machine-{n}", runner=runner).run_due()
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    with at_race_points(hook):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert errors == []
    assert sorted(name for name, _ in ran) == sorted(job.name for job in jobs)
    assert ScheduledRun.objects.count() == len(jobs)
    assert set(ScheduledRun.objects.values_list("succeeded", flat=True)) == {True}
