"""Events, their registrations and the choices both share (one module each; imported from here)."""

from ..choices import AccessProvision, access_retention_period
from .event import (
    SCHEDULE_FIELDS,
    SERVICE_OWNED_FIELDS,
    EventPage,
    EventPageManager,
    EventPageQuerySet,
    new_ical_uid,
    time_zone_choices,
)
from .fields import ChoiceListField
from .index import EventIndexPage
from .registration import Registration, RegistrationQuerySet

__all__ = [
    "SCHEDULE_FIELDS",
    "SERVICE_OWNED_FIELDS",
    "AccessProvision",
    "ChoiceListField",
    "EventIndexPage",
    "EventPage",
    "EventPageManager",
    "EventPageQuerySet",
    "Registration",
    "RegistrationQuerySet",
    "access_retention_period",
    "new_ical_uid",
    "time_zone_choices",
]
