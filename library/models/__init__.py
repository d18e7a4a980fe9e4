"""The resource library's models, one module each: tags, resources and the library page."""

from .library_page import LibraryPage
from .resource import EARLIEST_YEAR, LATEST_YEAR, RESOURCES_PER_PAGE, ResourcePage, http_url_validator
from .suggestion import ResourceSuggestion, SuggestionReviewTask, suggestion_declined
from .terms import Audience, ResourceType, TaxonomyTerm, Topic

__all__ = [
    "EARLIEST_YEAR",
    "LATEST_YEAR",
    "RESOURCES_PER_PAGE",
    "Audience",
    "LibraryPage",
    "ResourcePage",
    "ResourceSuggestion",
    "SuggestionReviewTask",
    "ResourceType",
    "TaxonomyTerm",
    "Topic",
    "http_url_validator",
    "suggestion_declined",
]
