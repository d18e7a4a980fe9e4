from django.urls import path

from portal import converters  # noqa: F401 - registers <id:...>

from . import views

app_name = "events"

urlpatterns = [
    path("feed.ics", views.feed, name="feed"),
    path("<id:pk>/event.ics", views.event_ics, name="event_ics"),
    path("manage/<str:token>/", views.manage, name="manage"),
]
