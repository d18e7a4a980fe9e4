"""The home app's models, one module each: pages, feedback and site settings."""

from .feedback import FeedbackSubmission
from .pages import GuidanceIndexPage, GuidancePage, HomePage
from .site_settings import NavigationLinkBlock, NavigationSettings, SiteSettings, SocialLinkBlock

__all__ = [
    "FeedbackSubmission",
    "GuidanceIndexPage",
    "GuidancePage",
    "HomePage",
    "NavigationLinkBlock",
    "NavigationSettings",
    "SiteSettings",
    "SocialLinkBlock",
]
