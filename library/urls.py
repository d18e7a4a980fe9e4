from django.urls import path

from portal import converters  # noqa: F401 - registers <id:...>

from . import views

app_name = "library"

urlpatterns = [
    path("<id:page_id>/export.<str:fmt>", views.export, name="export"),
    path("<id:page_id>/suggest/", views.suggest, name="suggest"),
    path("<id:page_id>/suggest/thank-you/", views.suggested, name="suggested"),
]
