from django.urls import path

from .feeds import GuidanceAtomFeed, GuidanceFeed

urlpatterns = [
    path("guidance.rss", GuidanceFeed(), name="guidance_feed_rss"),
    path("guidance.atom", GuidanceAtomFeed(), name="guidance_feed_atom"),
]
