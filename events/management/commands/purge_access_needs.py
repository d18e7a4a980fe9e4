from django.core.management.base import BaseCommand

from events.services import purge_access_needs


class Command(BaseCommand):
    help = "Deletes attendees' access and dietary information once its retention time has passed."

    def handle(self, *args, **options):
        purged = purge_access_needs()
        self.stdout.write(f"Deleted access information from {purged} registration(s).")
