"""Seeds the benefit and tax figures of 2025–26 with where they were published, and lets Coordinators
keep them (add a row each April; change a figure with its source)."""

from decimal import Decimal

from django.db import migrations

from accounts.groups import grant, revoke

PERMS = ["payments.add_benefitfigures", "payments.change_benefitfigures", "payments.view_benefitfigures"]

FIGURES_2025 = {
    "tax_year": 2025,
    "esa_permitted_work_lower_weekly": Decimal("20.00"),
    "esa_permitted_work_higher_weekly": Decimal("195.50"),
    "uc_work_allowance_lower_monthly": Decimal("411.00"),
    "uc_work_allowance_higher_monthly": Decimal("684.00"),
    "trading_allowance": Decimal("1000.00"),
    "source": (
        "ESA permitted work limits from April 2025 (£20 lower, £195.50 higher a week) and Universal Credit "
        "work allowances for 2025–26 (£411 with housing costs, £684 without, a month): DWP, Benefit and "
        "pension rates 2025 to 2026, "
        "https://www.gov.uk/government/publications/benefit-and-pension-rates-2025-to-2026 ; "
        "permitted work: https://www.gov.uk/employment-support-allowance/eligibility ; "
        "HMRC trading allowance (£1,000 a tax year): "
        "https://www.gov.uk/guidance/tax-free-allowances-on-property-and-trading-income"
    ),
}


def forwards(apps, schema_editor):
    BenefitFigures = apps.get_model("payments", "BenefitFigures")
    values = dict(FIGURES_2025)
    BenefitFigures.objects.get_or_create(tax_year=values.pop("tax_year"), defaults=values)
    grant(apps, "Coordinators", PERMS)


def backwards(apps, schema_editor):
    revoke(apps, "Coordinators", PERMS)


class Migration(migrations.Migration):
    dependencies = [("payments", "0014_claims_on_behalf_benefit_figures"), ("accounts", "0002_groups")]

    operations = [migrations.RunPython(forwards, backwards)]
