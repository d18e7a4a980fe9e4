from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "library"

    def ready(self):
        from wagtail.signals import page_published

        from portal.api import api_router

        from .api import ResourcesAPIViewSet
        from .models import ResourcePage, suggestion_declined
        from .suggestions import services as suggestions

        api_router.register_endpoint("resources", ResourcesAPIViewSet)

        def on_resource_published(sender, instance, **kwargs):
            suggestions.suggestion_published(instance)

        def on_suggestion_declined(sender, page, user, reason, **kwargs):
            suggestions.decline_suggestion(page.specific, actor=user, reason=reason)

        page_published.connect(
            on_resource_published,
            sender=ResourcePage,
            dispatch_uid="library.suggestion_published",
            weak=False,
        )
        suggestion_declined.connect(
            on_suggestion_declined, dispatch_uid="library.suggestion_declined", weak=False
        )
