"""Events, their registrations and the choices both share (one module each; imported from here)."""

from ..choices import AccessProvision, access_retention_period
from .contact import ContactTask
from .event import (
    SCHEDULE_FIELDS,
    SERVICE_OWNED_FIELDS,
    EventPage,
    EventPageManager,
    EventPageQuerySet,
    new_ical_uid,
    time_zone_choices,
)
from .feedback import EventFeedback, FeedbackInvitation
from .fields import ChoiceListField
from .index import EventIndexPage
from .materials import EventMaterialFile
from .registration import Registration, RegistrationQuerySet

__all__ = [
    "SCHEDULE_FIELDS",
    "SERVICE_OWNED_FIELDS",
    "AccessProvision",
    "ChoiceListField",
    "ContactTask",
    "EventFeedback",
    "EventIndexPage",
    "EventMaterialFile",
    "EventPage",
    "EventPageManager",
    "EventPageQuerySet",
    "FeedbackInvitation",
    "Registration",
    "RegistrationQuerySet",
    "access_retention_period",
    "new_ical_uid",
    "time_zone_choices",
]
