from django.core.management.base import BaseCommand

from events.services import send_feedback_requests


class Command(BaseCommand):
    help = (
        "E-mails everyone with a confirmed place at a recently ended event (EVENTS_FEEDBACK_WINDOW_DAYS, 14) "
        "a link to a short feedback form. Safe to run every few minutes from several workers: each "
        "attendee's e-mail is claimed under a row lock and sent once."
    )

    def handle(self, *args, **options):
        run = send_feedback_requests()
        self.stdout.write(f"Sent {run.sent} feedback request(s).")
