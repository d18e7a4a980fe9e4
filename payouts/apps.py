from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    """Turning approved claims into money, once: payment runs, Stripe Connect transfers, recorded bank
    transfers and vouchers, reversals. Depends on payments (claims change only through its services);
    payments never imports this app."""

    name = "payouts"

    def ready(self):
        from payments import signals

        from .services.holding import on_release_requested

        # Payouts hold approved claims; they let go of one when it is declined or cancelled.
        signals.release_requested.connect(on_release_requested, dispatch_uid="payouts_release_claim")
