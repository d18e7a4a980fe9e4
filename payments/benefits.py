"""Benefit-aware warnings: payments counted the way Universal Credit and ESA permitted work count them,
by the date the money is expected to be received, not the date of the work.

- Universal Credit counts earnings in the monthly assessment period they are received in. A period
  begins on the same day each month as the claim began, except (UC Regulations 2013, reg. 21(2)): a
  claim that began on the 31st uses the last day of each month; one that began on the 29th or 30th
  begins February's period on the 27th (the 28th in a leap year). Two payments received in one period
  are both counted in it.
- ESA permitted work has a weekly limit; the week here is Monday to Sunday.
- "Expected to be received" (one answer for every screen): once paid, the day it was paid; in a payment
  with a planned date, that date; otherwise the approval date plus the policy's pay-within period (for a
  claim not decided yet: today plus that period, as if approved today). payments.expectations answers
  for a claim; this module groups claims into payments (a payout pays all its claims at once).

These warnings inform and point to welfare-rights advice; they never advise. Figures come from
BenefitFigures (kept by coordinators per tax year). Fees count; expenses are not earnings.

The payouts app tells this module about payments through the `contributor_expected_payments` hook
(payments never imports payouts).
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from wagtail import hooks

from . import tax_year as uk_tax_year
from .calculation import pounds
from .expectations import expected_payment
from .models import ZERO, BenefitFigures, ContributorProfile, InvolvementClaim

Status = InvolvementClaim.Status


# ---------------------------------------------------------------------------------------------
# Periods


def period_start_in(start_day, year, month):
    """The day the assessment period that begins in (year, month) begins, for a claim that began on
    day `start_day` of a month (reg. 21(2))."""
    if not 1 <= start_day <= 31:
        raise ValueError("An assessment period starts on a day from 1 to 31.")
    last = calendar.monthrange(year, month)[1]
    if start_day == 31:
        return datetime.date(year, month, last)
    if start_day in (29, 30) and month == 2:
        return datetime.date(year, 2, 28 if calendar.isleap(year) else 27)
    return datetime.date(year, month, start_day)


def _shift(year, month, by):
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def assessment_period(start_day, day):
    """(first day, last day) of the assessment period that `day` falls in."""
    start = period_start_in(start_day, day.year, day.month)
    if day >= start:
        next_start = period_start_in(start_day, *_shift(day.year, day.month, 1))
        return start, next_start - datetime.timedelta(days=1)
    previous = period_start_in(start_day, *_shift(day.year, day.month, -1))
    return previous, start - datetime.timedelta(days=1)


def esa_week(day):
    """(Monday, Sunday) of the week `day` falls in."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


# ---------------------------------------------------------------------------------------------
# Payments expected


@dataclass(frozen=True)
class ExpectedPayment:
    date: datetime.date
    fee: object  # Decimal: the earnings part (expenses are not earnings)
    label: str  # "payment 4", "claim 12", "this payment"
    basis: str = "policy"  # "paid", "planned", "policy", "new"
    claim_ids: tuple = field(default=())


def claim_expected_date(claim, *, today=None):
    """When the money for `claim` is expected to be received (see the module docstring), or None."""
    today = today or timezone.localdate()
    expected = expected_payment(claim, today=today)
    if expected is not None:
        return expected.date
    if claim.status == Status.SUBMITTED and claim.policy_version is not None:
        return today + datetime.timedelta(days=claim.policy_version.pay_within_days)
    return None


def expected_payments(person, *, exclude_claim_ids=(), today=None):
    """Every payment `person` has received or is expected to receive, with its date and fee.

    Payments that hold claims (and those already paid) come from the payouts app through the
    `contributor_expected_payments` hook, each as one payment; an approved claim no payment holds is a
    payment of its own, expected on its policy date."""
    today = today or timezone.localdate()
    exclude = set(exclude_claim_ids)
    payments, covered = [], set()
    for fn in hooks.get_hooks("contributor_expected_payments"):
        for payment in fn(person, today=today):
            covered.update(payment.claim_ids)
            # No date: claims a coordinator held out of a run; nobody knows yet when they will be paid.
            if payment.date is not None and exclude.isdisjoint(payment.claim_ids):
                payments.append(payment)
    profile = ContributorProfile.objects.filter(user=person).first()
    Pref = ContributorProfile.PaymentPreference
    if profile is not None and profile.payment_preference in (Pref.DECLINE, Pref.CHARITY):
        # Declined or donated: no money reaches them, and no notional earnings are made.
        return sorted(payments, key=lambda p: (p.date, p.label))
    waiting = (
        InvolvementClaim.objects.filter(contributor=person, status=Status.APPROVED)
        .exclude(pk__in=covered | exclude)
        .select_related("policy_version")
    )
    for claim in waiting:
        day = claim_expected_date(claim, today=today)
        if day is not None:
            payments.append(
                ExpectedPayment(day, claim.fee_amount, f"claim {claim.pk}", "policy", (claim.pk,))
            )
    return sorted(payments, key=lambda p: (p.date, p.label))


# ---------------------------------------------------------------------------------------------
# Warnings


def _day(d):
    return f"{d.day} {d:%B %Y}"


def _listing(payments):
    return ", ".join(f"{pounds(p.fee)} on {_day(p.date)} ({p.label})" for p in payments)


def uc_clashes(start_day, new, others):
    """The payments among `others` expected in the same assessment period as `new`, and that period:
    ((first, last), [payments]); the list is empty when `new` is alone in its period."""
    period = assessment_period(start_day, new.date)
    return period, [p for p in others if period[0] <= p.date <= period[1]]


def warnings_for(profile, new, others, *, for_coordinator=False):
    """Plain statements about `new` (an ExpectedPayment) beside the person's `others`: two payments in
    one Universal Credit assessment period, payments above the work allowance they chose, fees in one week
    above the ESA permitted-work limit they chose. Empty when nothing applies."""
    if profile is None:
        return []
    who = "this person" if for_coordinator else "you"
    whose = "their" if for_coordinator else "your"
    figures = BenefitFigures.for_tax_year(uk_tax_year.of(new.date))
    figures_note = ""
    if figures is not None and figures.tax_year != uk_tax_year.of(new.date):
        figures_note = (
            f" (figures for {uk_tax_year.label(figures.tax_year)}: none are recorded for later years yet)"
        )
    out = []
    if profile.uc_assessment_start_day:
        (first, last), clash = uc_clashes(profile.uc_assessment_start_day, new, others)
        if clash:
            out.append(
                f"Two or more payments are expected to reach {who} in one Universal Credit assessment period "
                f"({_day(first)} to {_day(last)}): {_listing([new, *clash])}. Universal Credit counts "
                "earnings in the assessment period they are received in."
            )
        allowance = figures.uc_allowance(profile.uc_work_allowance) if figures else None
        total = sum((p.fee for p in [new, *clash]), ZERO)
        if allowance is not None and total > allowance:
            out.append(
                f"Fees expected in that assessment period come to {pounds(total)}, more than the "
                f"{profile.get_uc_work_allowance_display().lower()} of {pounds(allowance)} a month "
                f"{whose} profile names{figures_note}."
            )
    if profile.esa_permitted_work_limit and figures is not None:
        limit = figures.esa_limit(profile.esa_permitted_work_limit)
        monday, sunday = esa_week(new.date)
        week = [new, *(p for p in others if monday <= p.date <= sunday)]
        total = sum((p.fee for p in week), ZERO)
        if limit is not None and total > limit:
            out.append(
                f"Fees expected to reach {who} in the week of {_day(monday)} to {_day(sunday)} come to "
                f"{pounds(total)} ({_listing(week)}), more than the ESA permitted-work "
                f"{profile.get_esa_permitted_work_limit_display().lower()} of {pounds(limit)} a week"
                f"{figures_note}."
            )
    return out


def claim_warnings(claim, *, today=None, for_coordinator=False):
    """Benefit warnings for a submitted or approved claim, counted by when its money is expected."""
    if claim.status not in (Status.SUBMITTED, Status.APPROVED):
        return []
    profile = ContributorProfile.objects.filter(user_id=claim.contributor_id).first()
    if profile is None or not (profile.uc_assessment_start_day or profile.esa_permitted_work_limit):
        return []
    today = today or timezone.localdate()
    day = claim_expected_date(claim, today=today)
    if day is None:
        return []
    others = expected_payments(claim.contributor, today=today)
    mine = [p for p in others if claim.pk in p.claim_ids]
    new = mine[0] if mine else ExpectedPayment(day, claim.fee_amount, "this claim", "policy", (claim.pk,))
    others = [p for p in others if p is not new]
    return warnings_for(profile, new, others, for_coordinator=for_coordinator)
