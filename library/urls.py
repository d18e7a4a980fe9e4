from django.urls import path

from portal import converters  # noqa: F401 - registers <id:...>

from . import views
from .feeds import ResourceAtomFeed, ResourceFeed

app_name = "library"

urlpatterns = [
    path("<id:page_id>/export.<str:fmt>", views.export, name="export"),
    path("<id:page_id>/feed.rss", ResourceFeed(), name="feed_rss"),
    path("<id:page_id>/feed.atom", ResourceAtomFeed(), name="feed_atom"),
]
