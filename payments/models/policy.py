"""The payment policy, versioned by effective date, with its rate card and expense caps."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel

from .choices import (
    MAX_MILEAGE_RATE,
    MAX_RATE,
    MONEY,
    ZERO,
    ActivityType,
    ClaimStatus,
    ExpenseCategory,
    at_most,
)


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
        return self.claims.filter(status__in=ClaimStatus.frozen()).exists()

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
