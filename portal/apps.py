from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project itself: start-up wiring that belongs to no single app."""

    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from . import cache, hardening
        from .exports import guard_wagtail_exports

        guard_wagtail_exports()
        hardening.apply()
        cache.connect_signals()
