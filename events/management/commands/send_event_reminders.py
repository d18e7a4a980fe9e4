from django.core.management.base import BaseCommand

from events.services import send_due_reminders


class Command(BaseCommand):
    help = (
        "Sends reminders for events starting within EVENTS_REMINDER_HOURS_BEFORE hours. Safe to run every few "
        "minutes from several workers: each reminder is claimed atomically and sent once."
    )

    def handle(self, *args, **options):
        sent = send_due_reminders()
        self.stdout.write(f"Sent {sent} reminder(s).")
