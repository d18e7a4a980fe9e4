"""The UK tax year (6 April to 5 April), in one place. A tax year is named by the calendar year it starts
in: 2025 is 6 April 2025 to 5 April 2026, shown as "2025–26"."""

import datetime

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import ExtractYear

FIRST_DAY = (4, 6)


def of(day):
    """The tax year `day` falls in."""
    return day.year if (day.month, day.day) >= FIRST_DAY else day.year - 1


def bounds(start_year):
    """First and last day of the tax year that starts in `start_year`."""
    return datetime.date(start_year, *FIRST_DAY), datetime.date(start_year + 1, 4, 5)


def bounds_of(day):
    """First and last day of the tax year `day` falls in."""
    return bounds(of(day))


def label(start_year):
    """How people write a tax year: "2025–26" (with an en dash)."""
    return f"{start_year}\u2013{str(start_year + 1)[-2:]}"


def expression(field):
    """The tax year of a date column, computed by the database (SQLite and PostgreSQL alike)."""
    before_6_april = Q(**{f"{field}__month__lt": 4}) | Q(**{f"{field}__month": 4, f"{field}__day__lt": 6})
    return Case(
        When(before_6_april, then=ExtractYear(field) - Value(1)),
        default=ExtractYear(field),
        output_field=IntegerField(),
    )


def parse(value):
    """The tax year (its first calendar year) named by text such as "2025"; None when it is not one.

    Only four plain digits from 1900 to 9998 (the last year whose tax year ends before 10000), so
    "²", "٢٠٢٥", "0" or a 26-digit number are refused rather than reaching the date arithmetic.
    """
    value = (value or "").strip()
    if len(value) != 4 or not value.isascii() or not value.isdigit():
        return None
    year = int(value)
    return year if 1900 <= year <= datetime.MAXYEAR - 1 else None
