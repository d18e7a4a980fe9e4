"""The choices of events and registrations, with no database behind them: what kind of event it is and
how it runs, the access provisions it offers and people ask for, how people like to be contacted, and
how long access information is kept. Forms and filters take them from here rather than from the models,
so that pages can build their forms and filters without an import loop."""

from datetime import timedelta

from django.conf import settings
from django.db import models


class EventType(models.TextChoices):
    WORKSHOP = "workshop", "Workshop"
    TRAINING = "training", "Training"
    MEETING = "meeting", "Meeting"
    FOLLOW_UP = "follow_up", "Follow-up"
    SOCIAL = "social", "Social"
    OTHER = "other", "Other"


class Format(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    HYBRID = "hybrid", "Hybrid (in person and online)"


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Going ahead"
    CANCELLED = "cancelled", "Cancelled"


class AccessProvision(models.TextChoices):
    STEP_FREE = "step_free", "Step-free route"
    ACCESSIBLE_TOILET = "accessible_toilet", "Accessible toilet"
    HEARING_LOOP = "hearing_loop", "Tested hearing loop"
    BSL = "bsl", "BSL interpreters"
    LIVE_CAPTIONS = "live_captions", "Live captions"
    QUIET_ROOM = "quiet_room", "Quiet room"
    BREAKS = "breaks", "Regular breaks"
    MATERIALS_IN_ADVANCE = "materials_in_advance", "Materials in advance"
    LARGE_PRINT = "large_print", "Large print"


class ContactPreference(models.TextChoices):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    POST = "post", "Letter by post"


# What people choose on their own online forms: a letter needs a postal address, which only a
# coordinator booking for someone asks for (`OnBehalfRegistrationForm`).
ONLINE_CONTACT_CHOICES = [
    (value, label) for value, label in ContactPreference.choices if value != ContactPreference.POST
]


class BookingChannel(models.TextChoices):
    """How a registration reached us: online by the person, or entered by a coordinator for them."""

    ONLINE = "online", "Online, by the person"
    PHONE = "phone", "By phone"
    POST = "post", "By post"
    IN_PERSON = "in_person", "In person"


def access_retention_period():
    return timedelta(days=getattr(settings, "EVENTS_ACCESS_RETENTION_DAYS", 90))


class MaterialsRelease(models.TextChoices):
    BEFORE = "before", "As soon as a place is confirmed (read this first)"
    AFTER = "after", "After the event ends"


class Rating(models.IntegerChoices):
    POOR = 1, "1: Poor"
    FAIR = 2, "2: Fair"
    GOOD = 3, "3: Good"
    VERY_GOOD = 4, "4: Very good"
    EXCELLENT = 5, "5: Excellent"


class AccessMet(models.TextChoices):
    YES = "yes", "Yes, fully"
    PARTLY = "partly", "Partly"
    NO = "no", "No"
    NOT_NEEDED = "not_needed", "I had no access needs"


class NoticeKind(models.TextChoices):
    """What a registrant is told when something about their place changes: the subject of an e-mail, or
    of a call or letter for people without e-mail (`ContactTask`)."""

    CONFIRMED = "confirmed", "Place confirmed"
    WAITING = "waiting", "On the waiting list"
    PROMOTED = "promoted", "A place came free"
    CANCELLED = "cancelled", "Place cancelled"
    RESTORED = "restored", "Place back"
    EVENT_CHANGED = "event_changed", "Event changed"
    EVENT_CANCELLED = "event_cancelled", "Event cancelled"
    REMINDER = "reminder", "Reminder"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    POST = "post", "Letter by post"
