"""Contributors' claims, their expenses and the trail of every change."""

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from .. import tax_year as uk_tax_year
from ..calculation import format_minutes
from .choices import (
    MAX_EXPENSE_AMOUNT,
    MAX_MILES,
    MONEY,
    ZERO,
    ActivityType,
    ClaimStatus,
    EnteredFrom,
    ExpenseCategory,
    at_most,
)
from .policy import PolicyVersion
from .storage import private_storage


def _wait(start, end):
    return end - start if start and end else None


class ClaimQuerySet(models.QuerySet):
    def for_contributor(self, user):
        return self.filter(contributor=user)


class InvolvementClaim(models.Model):
    Status = ClaimStatus

    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="involvement_claims"
    )
    work_date = models.DateField("date of the work")
    activity_type = models.CharField(max_length=32, choices=ActivityType.choices)
    duration_minutes = models.PositiveIntegerField("time given (minutes)")
    preparation_minutes = models.PositiveIntegerField("preparation time (minutes)", default=0)
    project = models.CharField("project or event", max_length=200)
    # The role the work was done in, when the person has one (see Involvement).
    involvement = models.ForeignKey(
        "payments.Involvement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
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
    # A claim a coordinator entered on the contributor's behalf (from a signed sheet or a call): who
    # entered it, from what, and how the person agreed. That coordinator can never approve it
    # (payments.services), and the audit trail says who entered and who decided.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims_entered",
        editable=False,
    )
    entered_from = models.CharField(
        "entered from", max_length=16, choices=EnteredFrom.choices, blank=True, editable=False
    )
    agreement_note = models.TextField(
        "the person's agreement",
        blank=True,
        editable=False,
        help_text="How the contributor agreed to this claim (e.g. signed sheet dated …; agreed on the phone).",
    )
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
    # When the contributor was told their payment is late (send_late_payment_notices): once a claim.
    late_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

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
    def entered_on_behalf(self):
        return self.entered_by_id is not None

    @property
    def is_frozen(self):
        return self.status in self.Status.frozen()

    @property
    def duration_display(self):
        return format_minutes(self.duration_minutes)

    @property
    def preparation_display(self):
        return format_minutes(self.preparation_minutes) if self.preparation_minutes else "None"

    @property
    def explanation_lines(self):
        return [line for line in self.explanation.splitlines() if line.strip()]

    def needs_receipt(self, expense):
        """True when the policy asks for a receipt for `expense` and it has neither one nor a reason."""
        version = self.policy_version
        limit = version.receipt_required_above if version else None
        if limit is None or expense.receipt or expense.no_receipt_reason or expense.category == "mileage":
            return False
        return expense.amount > limit

    def pay_by(self):
        if self.decided_at is None or self.policy_version is None:
            return None
        decided_on = timezone.localtime(self.decided_at).date()
        return decided_on + datetime.timedelta(days=self.policy_version.pay_within_days)


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
    # Why there is no receipt for an amount the policy wants one for (shown to the coordinator).
    no_receipt_reason = models.TextField("why there is no receipt", blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.get_category_display()}: £{self.amount}"
