from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project itself: start-up wiring that belongs to no single app."""

    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from django_tasks.signals import task_finished

        from . import cache, hardening
        from .exports import guard_wagtail_exports
        from .search_backend import purge_after_indexing

        guard_wagtail_exports()
        hardening.apply()
        cache.connect_signals()
        task_finished.connect(purge_after_indexing, dispatch_uid="pagecache-index-task")
