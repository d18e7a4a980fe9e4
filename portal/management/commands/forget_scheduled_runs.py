import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.models import ScheduledRun


class Command(BaseCommand):
    help = (
        "Deletes the record of scheduled runs that started more than SCHEDULE_HISTORY_DAYS (30) days ago. "
        "Safe to run as often as you like."
    )

    def handle(self, *args, **options):
        cutoff = timezone.now() - datetime.timedelta(days=settings.SCHEDULE_HISTORY_DAYS)
        deleted, _ = ScheduledRun.objects.filter(started__lt=cutoff).delete()
        self.stdout.write(
            f"Forgot {deleted} scheduled run(s) older than {settings.SCHEDULE_HISTORY_DAYS} days."
        )
