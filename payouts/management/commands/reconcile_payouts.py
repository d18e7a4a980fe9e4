from django.core.management.base import BaseCommand

from payouts import services, stripe_gateway


class Command(BaseCommand):
    help = (
        "Settles Stripe payouts left `processing` (a crash or a timeout): a transfer found at Stripe marks the "
        "payout paid; none found repeats the same idempotent request. Safe to run every few minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=10, help="only payouts processing for this long")

    def handle(self, *args, minutes, **options):
        import datetime

        if not stripe_gateway.is_configured():
            self.stdout.write("Stripe is not configured; nothing to reconcile.")
            return
        for payout in services.stuck_processing(datetime.timedelta(minutes=minutes)):
            result = services.reconcile(payout)
            self.stdout.write(f"payout {payout.pk}: {result.status}")
