"""Plain values the payments models share: money fields, the bounds on what people enter, and the
choices of activities, expenses and a claim's status."""

from decimal import Decimal

from django.core.validators import MaxValueValidator
from django.db import models

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")

# Upper bounds on what people enter, so every amount the calculation can reach stays far inside
# MONEY's ten integer digits: at most MAX_RATE for up to 24 hours plus paid preparation (under
# £30 million) and MAX_EXPENSES_PER_CLAIM expenses of at most £100,000 each (mileage included).
# Nothing real comes near them; they are there so a typing slip or a hostile form can never make
# a total the database cannot hold.
MAX_EXPENSE_AMOUNT = Decimal("10000.00")
MAX_MILES = Decimal("10000.0")
MAX_MILEAGE_RATE = Decimal("10.00")
MAX_RATE = Decimal("10000.00")
MAX_EXPENSES_PER_CLAIM = 50


def at_most(limit, what, unit="£"):
    return MaxValueValidator(limit, message=f"{what} can be at most {unit}{limit:,}.")


class ActivityType(models.TextChoices):
    MEETING = "meeting", "Meeting or workshop"
    PREPARATION = "preparation", "Preparation and reading"
    REVIEWING = "reviewing", "Reviewing documents"
    FIELDWORK = "fieldwork", "Interviewing or fieldwork"
    COWRITING = "cowriting", "Co-writing or presenting"
    TRAINING = "training", "Training attended"
    SOCIAL = "social", "Social event"


class ExpenseCategory(models.TextChoices):
    TRAVEL = "travel", "Travel (fares, taxis, parking)"
    MILEAGE = "mileage", "Mileage (own vehicle)"
    CARER = "carer", "Carer or personal assistant"
    CHILDCARE = "childcare", "Childcare"
    ACCESSIBILITY = "accessibility", "Accessibility support (e.g. interpreters)"
    SUBSISTENCE = "subsistence", "Subsistence (food and drink)"
    INTERNET_PHONE = "internet_phone", "Internet or phone"


class EnteredFrom(models.TextChoices):
    """Where a claim entered by a coordinator on someone's behalf came from."""

    PAPER = "paper", "A signed paper sheet"
    PHONE = "phone", "A phone call"
    IN_PERSON = "in_person", "In person"


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    PAID = "paid", "Paid"
    DECLINED = "declined", "Payment declined"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def frozen(cls):
        """States whose amounts never change again."""
        return [cls.APPROVED, cls.PAID, cls.DECLINED]
