from django.core.management.base import BaseCommand

from opportunities.services import purge_access_info


class Command(BaseCommand):
    help = (
        "Deletes applicants' access needs and support needed once their retention time has passed, and "
        "equality monitoring answers past theirs."
    )

    def handle(self, *args, **options):
        purged, deleted = purge_access_info()
        self.stdout.write(
            f"Deleted access information from {purged} application(s) and {deleted} set(s) of monitoring answers."
        )
