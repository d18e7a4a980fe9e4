"""Payouts: turning approved claims into money in a contributor's hands, once and only once.

The tables keep the names they had when these models lived in the payments app (`db_table`), so
moving them here moved no data (payouts/migrations/0001_initial.py).

What must stay true:
- A claim is held by at most one payout at a time (PayoutItem with no `released_at`; a partial unique
  constraint backs it up). A payout lets go of a claim only before money moves (the claim was declined,
  cancelled, or the payout cancelled) or after a reversal returned that claim's money; released items stay
  as the record of what happened.
- Money moved for a claim (its items in payouts that paid, less what was reversed and reopened) is never
  more than its approved amount.
- A Stripe payout's idempotency key is derived from the payout and its attempt number only; the attempt
  number goes up only after Stripe *definitely* refused (no transfer exists), so a retry after a timeout or a
  crash repeats the same key and Stripe answers with the transfer it already made.
- Every status change writes an audit entry (Wagtail's log, through portal.audit).
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
        db_table = "payments_stripeaccount"  # kept from when payouts lived in payments
        verbose_name = "Stripe account"

    def __str__(self):
        return f"{self.account_id} ({'payouts enabled' if self.payouts_enabled else 'not ready'})"


class PaymentRun(models.Model):
    """One press of "pay these claims": a payout per contributor."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)
    # The day the coordinator plans to pay the run's payouts: the date contributors are told to expect.
    planned_on = models.DateField("planned payment date", null=True, blank=True)

    class Meta:
        db_table = "payments_paymentrun"  # kept from when payouts lived in payments
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
        PARTIALLY_REVERSED = "partially_reversed", "Partly reversed"
        REVERSED = "reversed", "Reversed"
        CLOSED = "closed", "Closed without payment"
        CANCELLED = "cancelled", "Cancelled before payment"

        @classmethod
        def open(cls):
            """Not paid yet: the payout holds its claims, and may still let go of them."""
            return [cls.PENDING, cls.PROCESSING, cls.FAILED]

        @classmethod
        def money_moved(cls):
            """The money went out (some of it may have come back)."""
            return [cls.PAID, cls.PARTIALLY_REVERSED, cls.REVERSED]

    run = models.ForeignKey(PaymentRun, on_delete=models.PROTECT, related_name="payouts")
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts"
    )
    method = models.CharField(max_length=20, choices=Method.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
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
        db_table = "payments_payout"  # kept from when payouts lived in payments
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

    @property
    def is_open(self):
        return self.status in self.Status.open()


class PayoutItemQuerySet(models.QuerySet):
    def held(self):
        """Items whose payout still holds the claim (to pay it, or as the payment that paid it)."""
        return self.filter(released_at__isnull=True)


class PayoutItem(models.Model):
    """A claim in a payout, with the amounts the payout pays for it (the fee may be lower at the
    contributor's request). Never deleted: a released item records a claim the payout let go of."""

    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="items")
    claim = models.ForeignKey(
        "payments.InvolvementClaim", on_delete=models.PROTECT, related_name="payout_items"
    )
    fee_amount = models.DecimalField(**MONEY)
    expenses_amount = models.DecimalField(**MONEY)
    note = models.CharField(max_length=200, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=200, blank=True)
    # Money returned by a reversal and counted against this claim when it was reopened.
    reversed_amount = models.DecimalField(**MONEY, default=ZERO)

    objects = PayoutItemQuerySet.as_manager()

    class Meta:
        db_table = "payments_payoutitem"  # kept from when payouts lived in payments
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"],
                condition=models.Q(released_at__isnull=True),
                name="payments_one_holding_payout_per_claim",
            )
        ]

    def __str__(self):
        return f"{self.claim} in payout {self.payout_id}"

    @property
    def amount(self):
        return self.fee_amount + self.expenses_amount


class PayoutReversal(models.Model):
    """Money that came back after a payout was paid: a Stripe transfer reversal (in full or in part) or a
    bank transfer or voucher returned, recorded by a coordinator."""

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="reversals")
    amount = models.DecimalField(**MONEY)
    reference = models.CharField(max_length=120, blank=True, help_text="Stripe transfer or bank reference.")
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    on = models.DateField(help_text="The day the money came back.")

    class Meta:
        db_table = "payments_payoutreversal"  # kept from when payouts lived in payments
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payments_reversal_positive")
        ]

    def __str__(self):
        return f"£{self.amount} reversed from payout {self.payout_id}"


class StripeWebhookEvent(models.Model):
    """Every Stripe event processed, by id: a replay finds its id here and changes nothing."""

    event_id = models.CharField(max_length=80, unique=True)
    event_type = models.CharField(max_length=80)
    created = models.BigIntegerField(help_text="Stripe's creation time (Unix seconds).")
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "payments_stripewebhookevent"  # kept from when payouts lived in payments
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"


class PaymentHold(models.Model):
    """An approved claim a coordinator left out of a payment run on purpose (for example so that two
    payments do not land in one Universal Credit assessment period). Recorded, not lost: the claim stays
    approved and payable, the payment run screen shows the hold, and the hold ends (`ended_at`) when the
    claim is paid in a later run or a coordinator lifts it."""

    claim = models.ForeignKey("payments.InvolvementClaim", on_delete=models.PROTECT, related_name="holds")
    run = models.ForeignKey(
        PaymentRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holds",
        help_text="The run it was left out of (empty when the run found nothing else to pay).",
    )
    held_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"],
                condition=models.Q(ended_at__isnull=True),
                name="payouts_one_open_hold_per_claim",
            )
        ]

    def __str__(self):
        return f"Claim {self.claim_id} held{f' from run {self.run_id}' if self.run_id else ''}"

    @property
    def is_open(self):
        return self.ended_at is None
