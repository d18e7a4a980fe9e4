"""How each contributor wants to be paid (or not), and the limits they watch."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from .choices import MONEY, ZERO


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
    # Empty until the contributor chooses: nobody is told "you chose" what they never chose. Until
    # then a payment run pays them by a bank transfer the coordinator arranges (payouts.services).
    payment_preference = models.CharField(
        "how they would like to be paid", max_length=20, choices=PaymentPreference.choices, blank=True
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
