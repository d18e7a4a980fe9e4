"""Involvement and fair pay: the payment policy (versioned by effective date), contributors' claims,
their expenses and the audit trail of every status change.

What must stay true:
- Money is Decimal (max_digits=12, decimal_places=2) end to end.
- A claim is paid at the policy version in force on the day the work was done.
- An approved claim keeps the amount, explanation and policy version it was approved with; nothing
  that happens to the policy later changes them, and a version used by an approved claim is read-only.
- Status changes only through payments.services, each one writing a ClaimEvent.
- Money reaches a claim only through a payout that holds it (see payments.payout_models.PayoutItem).
"""

import datetime
import os
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel

from . import tax_year as uk_tax_year

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


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files kept outside MEDIA_ROOT (receipts), never given a public URL.

    The location is read from settings.PRIVATE_MEDIA_ROOT on every use, so tests can point it at a
    temporary folder. Files are served only by views that check who is asking.
    """

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files have no public URL; use the receipt view.")


private_storage = PrivateStorage()


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


class PaymentPolicyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True).order_by("pk").first()


class PaymentPolicy(models.Model):
    """A payment policy, e.g. "Involvement payment policy". Its terms live in dated versions."""

    name = models.CharField(max_length=200)
    is_active = models.BooleanField(
        default=True, help_text="Claims are calculated with the active policy. Only one policy is active."
    )
    summary = models.TextField(blank=True, help_text="A plain-English summary shown to contributors.")

    objects = PaymentPolicyQuerySet.as_manager()

    panels = [FieldPanel("name"), FieldPanel("is_active"), FieldPanel("summary")]

    class Meta:
        verbose_name = "payment policy"
        verbose_name_plural = "payment policies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="payments_one_active_policy"
            )
        ]

    def __str__(self):
        return self.name

    def version_on(self, day):
        """The version in force on `day` (the latest one whose effective date is on or before it)."""
        return self.versions.filter(effective_from__lte=day).order_by("-effective_from").first()


class PolicyVersion(ClusterableModel):
    """The terms of a policy from a date. Read-only once an approved claim has used it."""

    policy = models.ForeignKey(PaymentPolicy, on_delete=models.PROTECT, related_name="versions")
    effective_from = models.DateField(help_text="Work done on or after this date is paid under this version.")
    currency = models.CharField(max_length=3, default="GBP", choices=[("GBP", "Pounds sterling (GBP)")])
    rounding_increment_minutes = models.PositiveSmallIntegerField(
        default=15,
        validators=[MinValueValidator(1)],
        help_text="Time is rounded up to the next multiple of this many minutes.",
    )
    minimum_paid_minutes = models.PositiveSmallIntegerField(
        default=60, help_text="A paid session is paid for at least this many minutes."
    )
    preparation_ratio = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(ZERO)],
        help_text="Paid preparation time, as a share of the session (0.50 = up to half the session time).",
    )
    preparation_cap_minutes = models.PositiveSmallIntegerField(
        default=120, help_text="The most preparation time paid for one session, in minutes."
    )
    mileage_rate = models.DecimalField(
        **MONEY,
        default=Decimal("0.45"),
        validators=[MinValueValidator(ZERO), at_most(MAX_MILEAGE_RATE, "The mileage rate")],
        help_text="Pounds per mile.",
    )
    receipt_required_above = models.DecimalField(
        **MONEY,
        default=Decimal("10.00"),
        validators=[MinValueValidator(ZERO)],
        help_text="Expenses above this amount need a receipt.",
    )
    pay_within_days = models.PositiveSmallIntegerField(
        default=30, help_text="We pay approved claims within this many days."
    )
    policy_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The published page that explains this policy to contributors.",
    )
    notes = models.TextField(blank=True, help_text="What changed in this version, and why.")
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldRowPanel([FieldPanel("policy"), FieldPanel("effective_from")]),
        MultiFieldPanel(
            [
                FieldPanel("currency"),
                FieldRowPanel([FieldPanel("rounding_increment_minutes"), FieldPanel("minimum_paid_minutes")]),
                FieldRowPanel([FieldPanel("preparation_ratio"), FieldPanel("preparation_cap_minutes")]),
                FieldPanel("pay_within_days"),
            ],
            heading="Time and promptness",
        ),
        InlinePanel("rate_cards", heading="Rate card", label="Activity rate"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("mileage_rate"), FieldPanel("receipt_required_above")])],
            heading="Expenses",
        ),
        InlinePanel("expense_caps", heading="Expense caps", label="Cap"),
        FieldPanel("policy_page"),
        FieldPanel("notes"),
    ]

    class Meta:
        ordering = ["policy", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "effective_from"], name="payments_version_unique_date")
        ]

    def __str__(self):
        return f"{self.policy} from {self.effective_from:%d %B %Y}"

    @property
    def is_locked(self):
        """True once an approved (or paid, or declined) claim used this version: it can no longer change."""
        if not self.pk:
            return False
        return self.claims.filter(status__in=InvolvementClaim.Status.frozen()).exists()

    def clean(self):
        super().clean()
        if self.is_locked:
            raise ValidationError(
                "This version has been used to approve claims, so it can no longer be changed. "
                "Add a new version with a later effective date instead."
            )

    def rate_for(self, activity_type):
        for card in self.rate_cards.all():
            if card.activity_type == activity_type:
                return card
        return None


class RateCard(models.Model):
    version = ParentalKey(PolicyVersion, on_delete=models.CASCADE, related_name="rate_cards")
    activity_type = models.CharField(max_length=32, choices=ActivityType.choices)
    is_paid = models.BooleanField(default=True, help_text="Untick for activities this policy does not pay.")
    hourly_rate = models.DecimalField(
        **MONEY, default=ZERO, validators=[MinValueValidator(ZERO), at_most(MAX_RATE, "A rate")]
    )
    half_day_rate = models.DecimalField(
        **MONEY, null=True, blank=True, validators=[MinValueValidator(ZERO), at_most(MAX_RATE, "A rate")]
    )
    half_day_min_hours = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Sessions of at least this many hours are paid the half-day rate (or the hourly total, "
        "whichever is more).",
    )
    day_rate = models.DecimalField(
        **MONEY, null=True, blank=True, validators=[MinValueValidator(ZERO), at_most(MAX_RATE, "A rate")]
    )
    day_min_hours = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Sessions of at least this many hours are paid the day rate (or the hourly total, "
        "whichever is more).",
    )

    panels = [
        FieldRowPanel([FieldPanel("activity_type"), FieldPanel("is_paid"), FieldPanel("hourly_rate")]),
        FieldRowPanel([FieldPanel("half_day_rate"), FieldPanel("half_day_min_hours")]),
        FieldRowPanel([FieldPanel("day_rate"), FieldPanel("day_min_hours")]),
    ]

    class Meta:
        ordering = ["activity_type"]
        constraints = [
            models.UniqueConstraint(fields=["version", "activity_type"], name="payments_rate_card_unique")
        ]

    def __str__(self):
        return f"{self.get_activity_type_display()}: £{self.hourly_rate}/h"

    def clean(self):
        super().clean()
        if (self.half_day_rate is None) != (self.half_day_min_hours is None):
            raise ValidationError("Give both a half-day rate and its hours, or neither.")
        if (self.day_rate is None) != (self.day_min_hours is None):
            raise ValidationError("Give both a day rate and its hours, or neither.")
        both = self.half_day_rate is not None and self.day_rate is not None
        if both and (self.day_min_hours <= self.half_day_min_hours or self.day_rate < self.half_day_rate):
            raise ValidationError("A day must be longer than a half day and pay at least as much.")


class ExpenseCap(models.Model):
    version = ParentalKey(PolicyVersion, on_delete=models.CASCADE, related_name="expense_caps")
    category = models.CharField(max_length=32, choices=ExpenseCategory.choices)
    cap = models.DecimalField(
        **MONEY, validators=[MinValueValidator(ZERO)], help_text="The most repaid in this category per claim."
    )

    panels = [FieldRowPanel([FieldPanel("category"), FieldPanel("cap")])]

    class Meta:
        ordering = ["category"]
        constraints = [
            models.UniqueConstraint(fields=["version", "category"], name="payments_expense_cap_unique")
        ]

    def __str__(self):
        return f"{self.get_category_display()}: up to £{self.cap}"


class ContributorProfile(models.Model):
    """How a contributor wants to be paid (or not). No bank details are ever stored here."""

    class PaymentPreference(models.TextChoices):
        STRIPE = "stripe", "Paid to my bank through Stripe"
        BANK_TRANSFER = "bank_transfer", "Bank transfer arranged with the coordinator (outside the portal)"
        VOUCHER = "voucher", "Vouchers"
        DECLINE = "decline", "I do not want to be paid"
        CHARITY = "charity", "Donate my payment to a charity"
        LOWER_AMOUNT = "lower_amount", "Pay me a lower amount"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contributor_profile"
    )
    display_name = models.CharField(max_length=120)
    payment_preference = models.CharField(
        max_length=20, choices=PaymentPreference.choices, default=PaymentPreference.BANK_TRANSFER
    )
    charity_name = models.CharField(max_length=200, blank=True)
    lower_amount = models.DecimalField(
        **MONEY, null=True, blank=True, validators=[MinValueValidator(ZERO)], help_text="Per claim."
    )
    weekly_limit = models.DecimalField(**MONEY, null=True, blank=True, validators=[MinValueValidator(ZERO)])
    monthly_limit = models.DecimalField(**MONEY, null=True, blank=True, validators=[MinValueValidator(ZERO)])
    tax_year_limit = models.DecimalField(**MONEY, null=True, blank=True, validators=[MinValueValidator(ZERO)])

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name

    def clean(self):
        super().clean()
        if self.payment_preference == self.PaymentPreference.CHARITY and not self.charity_name:
            raise ValidationError({"charity_name": "Name the charity you would like us to pay."})
        if self.payment_preference == self.PaymentPreference.LOWER_AMOUNT and self.lower_amount is None:
            raise ValidationError({"lower_amount": "Say how much you would like to be paid per claim."})


def _wait(start, end):
    return end - start if start and end else None


class ClaimQuerySet(models.QuerySet):
    def for_contributor(self, user):
        return self.filter(contributor=user)


class InvolvementClaim(models.Model):
    class Status(models.TextChoices):
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

    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="involvement_claims"
    )
    work_date = models.DateField("date of the work")
    activity_type = models.CharField(max_length=32, choices=ActivityType.choices)
    duration_minutes = models.PositiveIntegerField("time given (minutes)")
    preparation_minutes = models.PositiveIntegerField("preparation time (minutes)", default=0)
    project = models.CharField("project or event", max_length=200)
    # Set when the claim was made from recorded event attendance. One-to-one, so one attendance can
    # never make two claims.
    registration = models.OneToOneField(
        "events.Registration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="involvement_claim",
        editable=False,
    )
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # The first year of the UK tax year of work_date (2025 for 6 April 2025 to 5 April 2026), kept by
    # save() so reports group by a plain indexed column. bulk_create callers must set it.
    tax_year = models.PositiveSmallIntegerField(editable=False, db_index=True, default=0)

    # Calculated on every save of a draft or submitted claim, frozen on approval.
    policy_version = models.ForeignKey(
        PolicyVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    fee_amount = models.DecimalField(**MONEY, default=ZERO)
    expenses_amount = models.DecimalField(**MONEY, default=ZERO)
    total_amount = models.DecimalField(**MONEY, default=ZERO)
    explanation = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # How long people waited, stored at the transition so reports sort and aggregate plain columns.
    decision_wait = models.DurationField(null=True, blank=True, editable=False)
    payment_wait = models.DurationField(null=True, blank=True, editable=False)
    payment_reference = models.CharField(max_length=120, blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-work_date", "-pk"]
        indexes = [
            models.Index(fields=["contributor", "work_date"]),
            models.Index(fields=["status", "decided_at"]),
            models.Index(fields=["decision_wait"], name="payments_claim_decision_wait"),
            models.Index(fields=["payment_wait"], name="payments_claim_payment_wait"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0), name="payments_claim_time_positive"
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_activity_type_display()} on {self.work_date:%d %b %Y} ({self.get_status_display()})"
        )

    def save(self, *args, **kwargs):
        # Derived columns follow their sources on every save, whoever saves (services, payouts, admin).
        if self.work_date:
            self.tax_year = uk_tax_year.of(self.work_date)
        self.decision_wait = _wait(self.submitted_at, self.decided_at)
        self.payment_wait = _wait(self.decided_at, self.paid_at)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            update_fields = set(update_fields)
            if "work_date" in update_fields:
                update_fields.add("tax_year")
            if update_fields & {"submitted_at", "decided_at"}:
                update_fields.add("decision_wait")
            if update_fields & {"decided_at", "paid_at"}:
                update_fields.add("payment_wait")
            kwargs["update_fields"] = update_fields
        super().save(*args, **kwargs)

    @property
    def is_frozen(self):
        return self.status in self.Status.frozen()

    @property
    def duration_display(self):
        from .calculation import format_minutes

        return format_minutes(self.duration_minutes)

    @property
    def preparation_display(self):
        from .calculation import format_minutes

        return format_minutes(self.preparation_minutes) if self.preparation_minutes else "None"

    @property
    def explanation_lines(self):
        return [line for line in self.explanation.splitlines() if line.strip()]

    def pay_by(self):
        if self.decided_at is None or self.policy_version is None:
            return None
        return (self.decided_at + datetime.timedelta(days=self.policy_version.pay_within_days)).date()


class ClaimExpense(models.Model):
    claim = models.ForeignKey(InvolvementClaim, on_delete=models.CASCADE, related_name="expenses")
    category = models.CharField(max_length=32, choices=ExpenseCategory.choices)
    description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(
        **MONEY,
        default=ZERO,
        validators=[MinValueValidator(ZERO), at_most(MAX_EXPENSE_AMOUNT, "One expense")],
        help_text="What you spent, in pounds.",
    )
    miles = models.DecimalField(
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO), at_most(MAX_MILES, "The miles for one expense", unit="")],
        help_text="For mileage only.",
    )
    receipt = models.FileField(upload_to="receipts/%Y/%m/", storage=private_storage, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.get_category_display()}: £{self.amount}"


class ClaimEvent(models.Model):
    """One status change (or edit) of a claim: who, when, from, to, and why."""

    claim = models.ForeignKey(InvolvementClaim, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status or 'new'} → {self.to_status} by {self.actor} at {self.at:%d %b %Y %H:%M}"


# Payout models live in their own module; importing them here registers them with the app.
from .payout_models import (  # noqa: E402, F401
    PaymentRun,
    Payout,
    PayoutEvent,
    PayoutItem,
    PayoutReversal,
    StripeAccount,
    StripeWebhookEvent,
)
