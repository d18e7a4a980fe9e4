from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("feed.ics", views.feed, name="feed"),
    path("<int:pk>/event.ics", views.event_ics, name="event_ics"),
    path("manage/<str:token>/", views.manage, name="manage"),
]
