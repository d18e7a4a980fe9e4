from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self):
        from django.apps import apps

        if apps.is_installed("events"):
            from events.signals import attendance_recorded

            from .attendance import on_attendance_recorded

            attendance_recorded.connect(on_attendance_recorded, dispatch_uid="payments_claim_for_attendance")
