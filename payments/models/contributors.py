"""How each contributor wants to be paid (or not), and the limits they watch."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
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
    # Benefits the contributor tells us about, so warnings count payments the way the benefit does (by
    # the date money is expected to be received: payments.benefits). The figures themselves are kept per
    # tax year by coordinators (BenefitFigures); these only say which ones apply.
    uc_assessment_start_day = models.PositiveSmallIntegerField(
        "Universal Credit assessment period start day",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="The day of the month your Universal Credit assessment period starts (1 to 31), as on "
        "your statement. Leave empty if you do not get Universal Credit.",
    )
    uc_work_allowance = models.CharField(
        "Universal Credit work allowance",
        max_length=10,
        choices=[("lower", "The lower work allowance"), ("higher", "The higher work allowance")],
        blank=True,
        help_text="If you have a work allowance, which one (your statement says). Leave empty if none.",
    )
    esa_permitted_work_limit = models.CharField(
        "ESA permitted-work weekly limit",
        max_length=10,
        choices=[("lower", "The lower limit"), ("higher", "The higher limit")],
        blank=True,
        help_text="If you do permitted work while on Employment and Support Allowance, which weekly limit "
        "applies to you. Leave empty if you do not get ESA.",
    )

    # How to reach a person without e-mail, kept only with their consent (who recorded it, when, how).
    postal_address = models.TextField(blank=True)
    contact_consent_on = models.DateField("consent to keep phone and address given on", null=True, blank=True)
    contact_consent_how = models.CharField(
        "how consent was given",
        max_length=200,
        blank=True,
        help_text="For example: signed sheet, phone call.",
    )
    contact_consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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
        if self.postal_address.strip() and not (self.contact_consent_on and self.contact_consent_how.strip()):
            raise ValidationError(
                {
                    "contact_consent_how": "A postal address is kept only with the person's consent: say how and "
                    "when they agreed, or leave the address out."
                }
            )

    @property
    def has_contact_consent(self):
        return self.contact_consent_on is not None
