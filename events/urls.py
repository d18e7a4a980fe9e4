from django.urls import path

from portal import converters  # noqa: F401 - registers <id:...>

from . import views

app_name = "events"

urlpatterns = [
    path("feed.ics", views.feed, name="feed"),
    path("<id:pk>/event.ics", views.event_ics, name="event_ics"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/cancel/", views.manage_cancel, name="manage_cancel"),
    path("manage/<str:token>/undo/", views.manage_undo, name="manage_undo"),
    path("manage/<str:token>/materials/", views.materials_by_link, name="materials_by_link"),
    path(
        "manage/<str:token>/materials/<id:file_id>/",
        views.material_file_by_link,
        name="material_file_by_link",
    ),
    path("<id:pk>/materials/", views.materials, name="materials"),
    path("<id:pk>/materials/<id:file_id>/", views.material_file, name="material_file"),
    path("feedback/<str:token>/", views.feedback, name="feedback"),
]
