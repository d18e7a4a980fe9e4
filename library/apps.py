from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "library"

    def ready(self):
        from portal.api import api_router

        from .api import ResourcesAPIViewSet

        api_router.register_endpoint("resources", ResourcesAPIViewSet)
