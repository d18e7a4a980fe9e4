from django.core.management.base import BaseCommand

from payments import services


class Command(BaseCommand):
    help = (
        "E-mails each contributor whose approved claim has passed the date they were told to expect "
        "payment, once per claim, naming who to contact. Safe to run as often as you like."
    )

    def handle(self, *args, **options):
        sent = services.send_late_payment_notices()
        self.stdout.write(f"Late-payment notices sent: {sent}.")
