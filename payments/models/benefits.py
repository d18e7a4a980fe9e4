"""The published figures benefit warnings use, per UK tax year, kept by coordinators.

They change every April; a coordinator adds next year's row when DWP and HMRC publish them, with where
they come from. A payment is compared with the figures of the tax year it is expected to be received in;
when that year has no row yet, the latest earlier one is used and the warning says which year it is.
"""

from django.core.validators import MinValueValidator
from django.db import models

from .. import tax_year as uk_tax_year
from .choices import MONEY, ZERO


class BenefitFigures(models.Model):
    tax_year = models.PositiveSmallIntegerField(
        unique=True, help_text="The first year of the tax year: 2025 for 6 April 2025 to 5 April 2026."
    )
    esa_permitted_work_lower_weekly = models.DecimalField(
        "ESA permitted work: lower limit a week", **MONEY, validators=[MinValueValidator(ZERO)]
    )
    esa_permitted_work_higher_weekly = models.DecimalField(
        "ESA permitted work: higher limit a week", **MONEY, validators=[MinValueValidator(ZERO)]
    )
    uc_work_allowance_lower_monthly = models.DecimalField(
        "Universal Credit: lower work allowance a month", **MONEY, validators=[MinValueValidator(ZERO)]
    )
    uc_work_allowance_higher_monthly = models.DecimalField(
        "Universal Credit: higher work allowance a month", **MONEY, validators=[MinValueValidator(ZERO)]
    )
    trading_allowance = models.DecimalField(
        "HMRC trading allowance a tax year", **MONEY, validators=[MinValueValidator(ZERO)]
    )
    source = models.TextField(
        help_text="Where these figures were published (addresses), so anyone can check."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "benefit and tax figures"
        verbose_name_plural = "benefit and tax figures"
        ordering = ["-tax_year"]

    def __str__(self):
        return f"Figures for {uk_tax_year.label(self.tax_year)}"

    @classmethod
    def for_tax_year(cls, year):
        """The figures of `year`, or the latest earlier year's when that year has none yet (or None)."""
        return cls.objects.filter(tax_year__lte=year).order_by("-tax_year").first()

    def esa_limit(self, which):
        return {
            "lower": self.esa_permitted_work_lower_weekly,
            "higher": self.esa_permitted_work_higher_weekly,
        }.get(which)

    def uc_allowance(self, which):
        return {
            "lower": self.uc_work_allowance_lower_monthly,
            "higher": self.uc_work_allowance_higher_monthly,
        }.get(which)
