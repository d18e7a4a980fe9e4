from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project itself: start-up wiring that belongs to no single app."""

    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from . import frontend_purge, hardening, pagecache
        from .exports import guard_wagtail_exports

        guard_wagtail_exports()
        hardening.apply()
        pagecache.connect_signals()
        frontend_purge.connect_signals()
