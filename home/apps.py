from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Site and guidance"

    def ready(self):
        from . import signals

        signals.connect()
