from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self):
        from wagtail.signals import page_published

        from .models import EventPage
        from .services import event_published

        def on_event_published(sender, instance, **kwargs):
            event_published(instance)

        page_published.connect(
            on_event_published, sender=EventPage, dispatch_uid="events.event_published", weak=False
        )
