from ..choices import ApplicationStatus, ContactPreference, Format, RoleKind, Topic
from .application import Application, ApplicationQuerySet, EqualityMonitoring
from .pages import OpportunityIndexPage, OpportunityPage

__all__ = [
    "Application",
    "ApplicationQuerySet",
    "ApplicationStatus",
    "ContactPreference",
    "EqualityMonitoring",
    "Format",
    "OpportunityIndexPage",
    "OpportunityPage",
    "RoleKind",
    "Topic",
]
