import signal

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from portal import scheduler


class Command(BaseCommand):
    help = (
        "Runs every periodic job in the SCHEDULE setting when it falls due, until stopped (SIGTERM or "
        "Ctrl-C). Each due slot runs once however many schedulers are running. With --once: runs what "
        "is due now and exits (for cron, e.g. every 5 minutes). With --list: shows the schedule."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="run what is due now, then exit")
        mode.add_argument("--list", action="store_true", help="show each job, when it runs and its last run")

    def handle(self, *args, once, list, **options):
        try:
            jobs = scheduler.configured_jobs()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if not jobs:
            raise CommandError("The SCHEDULE setting lists no jobs.")
        clock = scheduler.SystemClock()
        runner = scheduler.Scheduler(jobs, clock=clock)
        if list:
            self._list(jobs, clock)
            return
        if once:
            try:
                ran = runner.run_due()
            except DatabaseError as error:
                raise CommandError(f"The database is unavailable, so nothing ran: {error}") from None
            for name, slot in ran:
                self.stdout.write(f"{name} (due {slot:%Y-%m-%d %H:%M} UTC): ran")
            self.stdout.write(f"{len(ran)} job(s) ran; the rest were not due or another scheduler ran them.")
            return
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: clock.stop())
        self.stdout.write(f"Scheduler {runner.name} running {len(jobs)} job(s); SIGTERM or Ctrl-C stops it.")
        runner.run_forever(stopped=lambda: clock.stopped)
        self.stdout.write("Scheduler stopped.")

    def _list(self, jobs, clock):
        from portal.models import ScheduledRun

        now = clock.now()
        for job in jobs:
            last = ScheduledRun.objects.filter(job=job.name).order_by("-slot").first()
            if last is None:
                history = "never run"
            elif last.finished is None:
                history = f"last started {last.started:%Y-%m-%d %H:%M} UTC by {last.claimed_by}, not finished"
            else:
                outcome = "succeeded" if last.succeeded else "FAILED"
                history = f"last ran {last.started:%Y-%m-%d %H:%M} UTC, {outcome}"
            self.stdout.write(
                f"{job.name}: manage.py {' '.join((job.command, *job.args))}, {job.describe()}; "
                f"next due {job.next_slot(now):%Y-%m-%d %H:%M} UTC; {history}"
            )
