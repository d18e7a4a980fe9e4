"""The choices of opportunities and applications, with no database behind them: the kind of role, its
topic and format, how people like to be contacted, where an application stands, the equality monitoring
questions, and how long access information is kept. Forms, filters and models take them from here."""

from datetime import timedelta

from django.conf import settings
from django.db import models


class RoleKind(models.TextChoices):
    ADVISORY_PANEL = "advisory_panel", "Advisory panel member"
    RESEARCH_PARTNER = "research_partner", "Research partner"
    WORKSHOP = "workshop", "Workshop participant"
    REVIEWER = "reviewer", "Reviewer"


class Topic(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental health"
    AGEING = "ageing", "Ageing and later life"
    LONG_TERM_CONDITIONS = "long_term_conditions", "Long-term conditions"
    SOCIAL_CARE = "social_care", "Social care"
    CHILDREN_FAMILIES = "children_families", "Children and families"
    PUBLIC_HEALTH = "public_health", "Public health and prevention"


class Format(models.TextChoices):
    ONLINE = "online", "Online"
    IN_PERSON = "in_person", "In person"
    HYBRID = "hybrid", "Hybrid (in person and online)"


class ContactPreference(models.TextChoices):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    POST = "post", "Post"


class ApplicationStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    SHORTLISTED = "shortlisted", "Shortlisted"
    OFFERED = "offered", "Offered a place"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Offer declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    NOT_SELECTED = "not_selected", "Not selected this time"

    @classmethod
    def open(cls):
        """States in which the applicant may still change or withdraw their application."""
        return [cls.RECEIVED, cls.SHORTLISTED, cls.OFFERED]

    @classmethod
    def final(cls):
        return [cls.ACCEPTED, cls.DECLINED, cls.WITHDRAWN, cls.NOT_SELECTED]


# Equality monitoring: optional, stored apart from the application (see models.EqualityMonitoring).
PREFER_NOT = ("prefer_not", "Prefer not to say")


class AgeBand(models.TextChoices):
    UNDER_25 = "under_25", "Under 25"
    AGE_25_44 = "25_44", "25 to 44"
    AGE_45_64 = "45_64", "45 to 64"
    AGE_65_PLUS = "65_plus", "65 or over"
    PREFER_NOT = PREFER_NOT


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NON_BINARY = "non_binary", "Non-binary"
    SELF_DESCRIBED = "other", "In another way"
    PREFER_NOT = PREFER_NOT


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    PREFER_NOT = PREFER_NOT


class Ethnicity(models.TextChoices):
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Another ethnic group"
    PREFER_NOT = PREFER_NOT


MONITORING_QUESTIONS = {
    "age_band": ("Age", AgeBand),
    "gender": ("Gender", Gender),
    "disability": ("Do you consider yourself to have a disability or long-term condition?", YesNo),
    "ethnicity": ("Ethnic group", Ethnicity),
    "carer": ("Do you look after someone, unpaid?", YesNo),
}
# Counts below this are shown as "fewer than N", so no small group can be picked out.
MONITORING_SMALLEST_SHOWN = 5


def access_retention_period():
    """How long access needs and monitoring answers are kept once an application is decided."""
    return timedelta(days=getattr(settings, "OPPORTUNITIES_ACCESS_RETENTION_DAYS", 180))


def closing_soon_days():
    return getattr(settings, "OPPORTUNITIES_CLOSING_SOON_DAYS", 14)
