"""How values read to a person: money to 2 places with a pound sign, waits in days, tax years as
2025–26, "Yes"/"No" and "Not set" instead of True, False and None. Templates use these through
`payments.templatetags.money`; admin inspect views and columns through `human`."""

import datetime
from decimal import Decimal

from django.utils import timezone

from . import tax_year
from .calculation import pounds
from .models.choices import MONEY

NOT_SET = "Not set"


def days(wait):
    """A wait in whole days, as people count them: "less than a day", "1 day", "12 days"."""
    if wait is None:
        return NOT_SET
    count = wait.days
    if count < 1:
        return "less than a day"
    return f"{count} day{'s' if count != 1 else ''}"


def tax_year_label(start_year):
    return tax_year.label(int(start_year)) if start_year else NOT_SET


def human(value, field=None):
    """One stored value as a person reads it. `field` is the model field it came from, if any."""
    if value is None or value == "":
        return NOT_SET if value is None else ""
    if field is not None and getattr(field, "choices", None):
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.timedelta):
        return days(value)
    if isinstance(value, Decimal) and _is_money(field):
        return pounds(value)
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value:%-d %b %Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%-d %b %Y}"
    return value


def _is_money(field):
    """A money column (MONEY: 12 digits, 2 places), not a share or a number of hours."""
    return all(getattr(field, key, None) == size for key, size in MONEY.items())


class HumanInspectMixin:
    """For an admin InspectView: every field shown the way `human` reads it."""

    def get_field_display_value(self, field_name, field):
        if getattr(self, f"get_{field_name}_display_value", None) is not None:
            return super().get_field_display_value(field_name, field)
        value = getattr(self.object, field_name, None)
        if field is not None and field.is_relation:
            return str(value) if value is not None else NOT_SET
        return human(value, field)
