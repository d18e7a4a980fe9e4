"""Payouts: turning approved claims into money in a contributor's hands, once and only once.

Imported at the bottom of payments/models.py so Django registers these models with the payments app.

What must stay true:
- A claim is in at most one payout (PayoutItem.claim is one-to-one), so no run can pay it twice.
- A Stripe payout's idempotency key is derived from the payout and its attempt number only; the attempt
  number goes up only after Stripe *definitely* refused (no transfer exists), so a retry after a timeout or a
  crash repeats the same key and Stripe answers with the transfer it already made.
- Every status change writes a PayoutEvent.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")


class StripeAccount(models.Model):
    """A contributor's Stripe Connect account. No bank details are ever stored here: Stripe holds them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stripe_account"
    )
    account_id = models.CharField(max_length=64, unique=True)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    requirements_due = models.TextField(blank=True, help_text="What Stripe still needs, one item a line.")
    # Stripe's `created` time of the newest account event applied: an older event arriving late is ignored.
    last_event_created = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Stripe account"

    def __str__(self):
        return f"{self.account_id} ({'payouts enabled' if self.payouts_enabled else 'not ready'})"


class PaymentRun(models.Model):
    """One press of "pay these claims": a payout per contributor."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Payment run {self.pk} on {self.created_at:%d %b %Y %H:%M}"


class Payout(models.Model):
    class Method(models.TextChoices):
        STRIPE = "stripe", "Stripe transfer"
        BANK_TRANSFER = "bank_transfer", "Bank transfer (recorded)"
        VOUCHER = "voucher", "Voucher"
        DECLINED = "declined", "Declined by the contributor"
        DONATED = "donated", "Donated to charity"

        @classmethod
        def without_money(cls):
            return [cls.DECLINED, cls.DONATED]

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"
        REVERSED = "reversed", "Reversed"
        CLOSED = "closed", "Closed without payment"

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="payouts")
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts"
    )
    method = models.CharField(max_length=20, choices=Method.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    currency = models.CharField(max_length=3, default="GBP")
    fee_amount = models.DecimalField(**MONEY, default=ZERO)
    expenses_amount = models.DecimalField(**MONEY, default=ZERO)
    amount = models.DecimalField(**MONEY, default=ZERO, help_text="Fees and expenses paid together.")
    charity_name = models.CharField(max_length=200, blank=True)

    attempt = models.PositiveIntegerField(default=1)
    stripe_destination = models.CharField(max_length=64, blank=True)
    stripe_transfer_id = models.CharField(max_length=64, blank=True, db_index=True)
    failure_reason = models.TextField(blank=True)

    paid_on = models.DateField(null=True, blank=True)
    reference = models.CharField(
        max_length=120, blank=True, help_text="Bank reference or voucher code reference."
    )
    voucher_provider = models.CharField(max_length=120, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["contributor", "status"])]

    def __str__(self):
        return f"Payout {self.pk}: £{self.amount} to {self.contributor} ({self.get_status_display()})"

    @property
    def idempotency_key(self):
        return f"portal-payout-{self.pk}-attempt-{self.attempt}"

    @property
    def amount_pence(self):
        return int((self.amount * 100).to_integral_value())

    @property
    def moves_money(self):
        return self.method not in self.Method.without_money()


class PayoutItem(models.Model):
    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="items")
    claim = models.OneToOneField(
        "payments.InvolvementClaim", on_delete=models.PROTECT, related_name="payout_item"
    )
    fee_amount = models.DecimalField(**MONEY)
    expenses_amount = models.DecimalField(**MONEY)
    note = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.claim} in payout {self.payout_id}"


class PayoutEvent(models.Model):
    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


class StripeWebhookEvent(models.Model):
    """Every Stripe event processed, by id: a replay finds its id here and changes nothing."""

    event_id = models.CharField(max_length=80, unique=True)
    event_type = models.CharField(max_length=80)
    created = models.BigIntegerField(help_text="Stripe's creation time (Unix seconds).")
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"
