"""Money and time as people read them: `{{ amount|pounds }}`, `{{ wait|days }}`, `{{ 2025|tax_year }}`,
`{{ status|claim_status }}` (a stored status as its label)."""

from django import template

from .. import display
from ..calculation import pounds as format_pounds
from ..models import ClaimStatus

register = template.Library()


@register.filter
def pounds(value):
    return "" if value is None or value == "" else format_pounds(value)


@register.filter
def days(value):
    return display.days(value)


@register.filter
def tax_year(value):
    return display.tax_year_label(value)


@register.filter
def claim_status(value):
    """A claim status stored in the audit trail ("approved") as its label ("Approved")."""
    if not value:
        return "New"
    return dict(ClaimStatus.choices).get(value, value)
