"""The rules a claim must satisfy, read-only: which policy version pays it and what it comes to, the
24 hours in a day, one claim per event and day, and sane input. payments.services applies them inside its
transitions, holding the locks that keep them true; views use them to preview a claim before saving."""

import re

from django.db.models import Sum
from django.utils import timezone

from portal.locking import race_point

from . import calculation
from .errors import ClaimError
from .models import ZERO, ActivityType, ExpenseCategory, InvolvementClaim, PaymentPolicy, PolicyVersion

Status = InvolvementClaim.Status
MINUTES_IN_A_DAY = 24 * 60
# Claims whose time counts towards the 24 hours of a day, and claims that are payable.
NOT_COUNTED = [Status.REJECTED, Status.CANCELLED]
PAYABLE = [Status.APPROVED, Status.PAID]


def version_for(work_date, policy=None):
    """The policy version in force on the day the work was done."""
    policy = policy or PaymentPolicy.objects.active()
    if policy is None:
        raise ClaimError(
            "There is no payment policy yet, so claims cannot be worked out. Please ask a coordinator."
        )
    version = policy.version_on(work_date)
    if version is None:
        raise ClaimError(
            f"The payment policy does not cover work done on {work_date:%d %B %Y}. Please check the date."
        )
    return version


def preview(claim, expenses=None):
    """The calculation for a claim (saved or not) under the version in force on its date."""
    version = version_for(claim.work_date)
    version = PolicyVersion.objects.prefetch_related("rate_cards", "expense_caps").get(pk=version.pk)
    result = calculation.calculate(input_from_claim(claim, expenses), terms_from_version(version))
    return version, result


def recalculate(claim):
    version, result = preview(claim)
    claim.policy_version = version
    claim.fee_amount = result.fee
    claim.expenses_amount = result.expenses
    claim.total_amount = result.total
    claim.explanation = result.explanation
    return result


def normalise_title(text):
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text or "")).strip().casefold()


def check_day_total(*, contributor_id, work_date, minutes, exclude_pk=None, for_coordinator=False):
    """Refuses a change that would give the person more than 24 hours of claimed work on one day.
    The caller holds the person's lock, so the total read here cannot change before it writes."""
    same_day = InvolvementClaim.objects.filter(contributor_id=contributor_id, work_date=work_date)
    # Contributors cannot claim more than 24 hours in all; coordinators cannot make more than 24 hours
    # payable (what a contributor has waiting is theirs to correct, and does not block an approval).
    same_day = (
        same_day.filter(status__in=PAYABLE) if for_coordinator else same_day.exclude(status__in=NOT_COUNTED)
    ).exclude(pk=exclude_pk).aggregate(total=Sum("duration_minutes"))["total"] or 0
    race_point("payments.day_total")
    if same_day + minutes > MINUTES_IN_A_DAY:
        whose = "The contributor has" if for_coordinator else "You have"
        raise ClaimError(
            f"{whose} already claimed {calculation.format_minutes(same_day)} on {work_date:%d %B %Y}; "
            "with this claim it would be more than 24 hours in one day."
        )


def check_same_event(*, contributor_id, work_date, project, registration_id=None, exclude_pk=None):
    """Refuses a claim for an event and day that the person's other claim already covers: a manual
    claim beside the one made from their attendance, or an attendance claim beside a manual one."""
    title = normalise_title(project)
    others = (
        InvolvementClaim.objects.filter(contributor_id=contributor_id, work_date=work_date)
        .exclude(status__in=NOT_COUNTED)
        .exclude(pk=exclude_pk)
    )
    if registration_id is None:
        others = others.filter(registration__isnull=False)
    for other in others.only("project", "registration_id"):
        if title and normalise_title(other.project) == title:
            made_from = " (made from your recorded attendance)" if other.registration_id else ""
            raise ClaimError(
                f"You already have a claim for {other.project} on {work_date:%d %B %Y}{made_from}. "
                "Add any extra time to that claim instead of making a second one."
            )


def validate_input(*, contributor, work_date, duration_minutes, preparation_minutes, exclude_pk=None):
    """Refuses impossible claims with a message; returns nothing when the input is possible.
    Call it with the person locked (the services do) so the day total stays true."""
    if duration_minutes is None or duration_minutes <= 0:
        raise ClaimError("The time given must be more than zero minutes.")
    if preparation_minutes is not None and preparation_minutes < 0:
        raise ClaimError("Preparation time cannot be negative.")
    if duration_minutes > MINUTES_IN_A_DAY:
        raise ClaimError("A claim cannot be for more than 24 hours in one day.")
    if work_date > timezone.localdate():
        raise ClaimError("The date of the work cannot be in the future. Claim once the work is done.")
    check_day_total(
        contributor_id=contributor.pk, work_date=work_date, minutes=duration_minutes, exclude_pk=exclude_pk
    )


def terms_from_version(version):
    """Adapts a PolicyVersion (with its rate cards and caps) to Terms."""
    labels = dict(ActivityType.choices)
    rates = {
        card.activity_type: calculation.Rate(
            label=labels.get(card.activity_type, card.activity_type),
            is_paid=card.is_paid,
            hourly_rate=card.hourly_rate,
            half_day_rate=card.half_day_rate,
            half_day_min_hours=card.half_day_min_hours,
            day_rate=card.day_rate,
            day_min_hours=card.day_min_hours,
        )
        for card in version.rate_cards.all()
    }
    for value, label in ActivityType.choices:
        rates.setdefault(value, calculation.Rate(label=label, is_paid=False, hourly_rate=ZERO))
    return calculation.Terms(
        rates=rates,
        rounding_increment_minutes=version.rounding_increment_minutes,
        minimum_paid_minutes=version.minimum_paid_minutes,
        preparation_ratio=version.preparation_ratio,
        preparation_cap_minutes=version.preparation_cap_minutes,
        mileage_rate=version.mileage_rate,
        expense_caps={cap.category: cap.cap for cap in version.expense_caps.all()},
        receipt_required_above=version.receipt_required_above,
        category_labels=dict(ExpenseCategory.choices),
    )


def input_from_claim(claim, expenses=None):
    """Adapts an InvolvementClaim (and its expenses, saved or not) to ClaimInput."""
    if expenses is None:
        expenses = list(claim.expenses.all()) if claim.pk else []
    return calculation.ClaimInput(
        activity_type=claim.activity_type,
        duration_minutes=claim.duration_minutes,
        preparation_minutes=claim.preparation_minutes or 0,
        expenses=tuple(
            calculation.ExpenseInput(
                category=e.category,
                amount=e.amount or ZERO,
                miles=e.miles,
                has_receipt=bool(e.receipt),
                description=e.description,
            )
            for e in expenses
        ),
    )
