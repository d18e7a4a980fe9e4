"""Every state change of a claim.

Each transition runs inside transaction.atomic(), locks the claim row (select_for_update), re-checks
the state it needs, saves with update_fields and writes a ClaimEvent. An illegal transition raises
ClaimError with a message that can be shown to the person as it is. Views never assign a status.

Invariants:
- draft -> submitted -> approved | rejected; approved -> paid | declined; submitted -> draft (withdraw).
- Only the contributor edits, submits or withdraws their claim, and only while draft or submitted.
- Only a coordinator approves, rejects, marks paid or declined, and never on a claim of their own.
- On approval the amounts, explanation and policy version are recalculated and then never change.
- Refused input: zero or negative time, over 24 h of work in one day for one person, a future date,
  a second claim for the same event attendance, a date no policy version covers.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from . import calculation
from .models import ZERO, ClaimEvent, ClaimExpense, InvolvementClaim, PaymentPolicy, PolicyVersion

Status = InvolvementClaim.Status
MINUTES_IN_A_DAY = 24 * 60
EDITABLE_FIELDS = [
    "work_date",
    "activity_type",
    "duration_minutes",
    "preparation_minutes",
    "project",
    "notes",
]
AMOUNT_FIELDS = ["policy_version", "fee_amount", "expenses_amount", "total_amount", "explanation"]


class ClaimError(Exception):
    """A claim change that is not allowed; the message is shown to the person."""


# ---------------------------------------------------------------------------------------------
# Helpers


def tax_year_start(day):
    """The 6 April on or before `day`: the UK tax year runs 6 April to 5 April."""
    start = datetime.date(day.year, 4, 6)
    return start if day >= start else datetime.date(day.year - 1, 4, 6)


def tax_year_bounds(day):
    start = tax_year_start(day)
    return start, datetime.date(start.year + 1, 4, 5)


def tax_year_label(start_year):
    return f"{start_year}/{str(start_year + 1)[-2:]}"


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
    result = calculation.calculate(
        calculation.input_from_claim(claim, expenses), calculation.terms_from_version(version)
    )
    return version, result


def _recalculate(claim):
    version, result = preview(claim)
    claim.policy_version = version
    claim.fee_amount = result.fee
    claim.expenses_amount = result.expenses
    claim.total_amount = result.total
    claim.explanation = result.explanation
    return result


def _lock(claim):
    locked = InvolvementClaim.objects.select_for_update().get(pk=claim.pk)
    return locked


def _sync(target, source):
    """Copies the saved state back onto the caller's instance."""
    for f in InvolvementClaim._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


def _wait(start, end):
    return end - start if start and end else None


def _record(claim, actor, from_status, note=""):
    return ClaimEvent.objects.create(
        claim=claim, actor=actor, from_status=from_status, to_status=claim.status, note=note
    )


def _require_owner(claim, actor, doing):
    if actor is None or actor.pk != claim.contributor_id:
        raise ClaimError(f"Only the person who made this claim can {doing} it.")


def _require_coordinator(claim, actor, doing):
    if actor is None or not actor.is_coordinator:
        raise ClaimError(f"Only a coordinator can {doing} claims.")
    if actor.pk == claim.contributor_id:
        raise ClaimError(f"You cannot {doing} a claim of your own. Please ask another coordinator.")


def _require_status(claim, allowed, doing):
    if claim.status not in allowed:
        raise ClaimError(f"This claim is {claim.get_status_display().lower()}, so it cannot be {doing}.")


def validate_input(*, contributor, work_date, duration_minutes, preparation_minutes, exclude_pk=None):
    """Refuses impossible claims with a message; returns nothing when the input is possible."""
    if duration_minutes is None or duration_minutes <= 0:
        raise ClaimError("The time given must be more than zero minutes.")
    if preparation_minutes is not None and preparation_minutes < 0:
        raise ClaimError("Preparation time cannot be negative.")
    if duration_minutes > MINUTES_IN_A_DAY:
        raise ClaimError("A claim cannot be for more than 24 hours in one day.")
    if work_date > timezone.localdate():
        raise ClaimError("The date of the work cannot be in the future. Claim once the work is done.")
    same_day = (
        InvolvementClaim.objects.filter(contributor=contributor, work_date=work_date)
        .exclude(status=Status.REJECTED)
        .exclude(pk=exclude_pk)
        .aggregate(total=Sum("duration_minutes"))["total"]
        or 0
    )
    if same_day + duration_minutes > MINUTES_IN_A_DAY:
        raise ClaimError(
            f"You have already claimed {calculation.format_minutes(same_day)} on {work_date:%d %B %Y}; "
            "with this claim it would be more than 24 hours in one day."
        )


# ---------------------------------------------------------------------------------------------
# Contributor transitions


def create_draft(*, contributor, data, registration=None, actor=None):
    """Creates a draft claim for `contributor` from cleaned `data` (the EDITABLE_FIELDS)."""
    actor = actor or contributor
    if actor.pk != contributor.pk:
        raise ClaimError("Claims are made by the contributor themselves.")
    fields = {name: data[name] for name in EDITABLE_FIELDS if name in data}
    fields.setdefault("preparation_minutes", 0)
    fields.setdefault("notes", "")
    with transaction.atomic():
        validate_input(
            contributor=contributor,
            work_date=fields["work_date"],
            duration_minutes=fields["duration_minutes"],
            preparation_minutes=fields["preparation_minutes"],
        )
        if registration is not None and InvolvementClaim.objects.filter(registration=registration).exists():
            raise ClaimError("There is already a claim for this event attendance.")
        claim = InvolvementClaim(
            contributor=contributor, status=Status.DRAFT, registration=registration, **fields
        )
        _recalculate(claim)
        try:
            with transaction.atomic():
                claim.save()
        except IntegrityError as exc:
            raise ClaimError("There is already a claim for this event attendance.") from exc
        _record(claim, actor, "", "Created")
    return claim


def edit_claim(claim, *, actor, data):
    """Changes a draft or submitted claim; the amount is worked out again."""
    with transaction.atomic():
        locked = _lock(claim)
        _require_owner(locked, actor, "change")
        _require_status(locked, [Status.DRAFT, Status.SUBMITTED], "changed")
        for name in EDITABLE_FIELDS:
            if name in data:
                setattr(locked, name, data[name])
        validate_input(
            contributor=locked.contributor,
            work_date=locked.work_date,
            duration_minutes=locked.duration_minutes,
            preparation_minutes=locked.preparation_minutes,
            exclude_pk=locked.pk,
        )
        _recalculate(locked)
        locked.save(update_fields=[*EDITABLE_FIELDS, *AMOUNT_FIELDS, "updated_at"])
        _record(locked, actor, locked.status, "Edited")
    return _sync(claim, locked)


def add_expense(claim, *, actor, data):
    """Adds an expense (category, amount, miles, description, receipt) to a draft or submitted claim.

    Refused (ClaimError): amounts or miles above the bounds in payments.models, or more than
    MAX_EXPENSES_PER_CLAIM expenses, so the claim's total always fits its column. The receipt is
    written to private storage inside the transaction; when the transaction fails, the file is
    deleted again, so no receipt is ever left behind without its expense.
    """
    from .models import MAX_EXPENSE_AMOUNT, MAX_EXPENSES_PER_CLAIM, MAX_MILES

    expense = ClaimExpense(
        category=data.get("category"),
        description=data.get("description", ""),
        amount=data.get("amount") or ZERO,
        miles=data.get("miles"),
        receipt=data.get("receipt") or "",
    )
    try:
        with transaction.atomic():
            locked = _lock(claim)
            _require_owner(locked, actor, "change")
            _require_status(locked, [Status.DRAFT, Status.SUBMITTED], "changed")
            if data.get("category") == "mileage" and not data.get("miles"):
                raise ClaimError("Give the number of miles for a mileage expense.")
            if data.get("category") != "mileage" and not data.get("amount"):
                raise ClaimError("Give the amount you spent.")
            if expense.amount > MAX_EXPENSE_AMOUNT:
                raise ClaimError(f"One expense can be at most £{MAX_EXPENSE_AMOUNT:,}.")
            if (expense.miles or ZERO) > MAX_MILES:
                raise ClaimError(f"One mileage expense can be at most {MAX_MILES:,} miles.")
            if locked.expenses.count() >= MAX_EXPENSES_PER_CLAIM:
                raise ClaimError(
                    f"A claim can have at most {MAX_EXPENSES_PER_CLAIM} expenses. Please start a new claim."
                )
            expense.claim = locked
            expense.save()  # writes the receipt file, then the row
            _recalculate(locked)
            locked.save(update_fields=[*AMOUNT_FIELDS, "updated_at"])
            _record(locked, actor, locked.status, f"Expense added: {expense}")
    except BaseException:
        # The row is gone with the transaction; a receipt already written must go too.
        if expense.receipt and expense.receipt._committed:
            expense.receipt.delete(save=False)
        raise
    _sync(claim, locked)
    return expense


def remove_expense(expense, *, actor):
    claim = expense.claim
    with transaction.atomic():
        locked = _lock(claim)
        _require_owner(locked, actor, "change")
        _require_status(locked, [Status.DRAFT, Status.SUBMITTED], "changed")
        text = str(expense)
        if expense.receipt:
            expense.receipt.delete(save=False)
        expense.delete()
        _recalculate(locked)
        locked.save(update_fields=[*AMOUNT_FIELDS, "updated_at"])
        _record(locked, actor, locked.status, f"Expense removed: {text}")
    return _sync(claim, locked)


def submit(claim, *, actor):
    """draft -> submitted, by the contributor."""
    with transaction.atomic():
        locked = _lock(claim)
        _require_owner(locked, actor, "submit")
        _require_status(locked, [Status.DRAFT], "submitted")
        validate_input(
            contributor=locked.contributor,
            work_date=locked.work_date,
            duration_minutes=locked.duration_minutes,
            preparation_minutes=locked.preparation_minutes,
            exclude_pk=locked.pk,
        )
        _recalculate(locked)
        locked.status = Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at", *AMOUNT_FIELDS, "updated_at"])
        _record(locked, actor, Status.DRAFT, "Submitted")
    return _sync(claim, locked)


def withdraw(claim, *, actor):
    """submitted -> draft, by the contributor, before a coordinator decides."""
    with transaction.atomic():
        locked = _lock(claim)
        _require_owner(locked, actor, "withdraw")
        _require_status(locked, [Status.SUBMITTED], "withdrawn")
        locked.status = Status.DRAFT
        locked.submitted_at = None
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
        _record(locked, actor, Status.SUBMITTED, "Withdrawn")
    return _sync(claim, locked)


# ---------------------------------------------------------------------------------------------
# Coordinator transitions


def approve(claim, *, actor, note=""):
    """submitted -> approved. Works the amount out one last time and freezes it with its version."""
    with transaction.atomic():
        locked = _lock(claim)
        _require_coordinator(locked, actor, "approve")
        _require_status(locked, [Status.SUBMITTED], "approved")
        _recalculate(locked)
        locked.status = Status.APPROVED
        locked.decided_at = timezone.now()
        locked.decision_wait = _wait(locked.submitted_at, locked.decided_at)
        locked.decided_by = actor
        locked.decision_reason = note
        locked.save(
            update_fields=[
                "status",
                "decided_at",
                "decision_wait",
                "decided_by",
                "decision_reason",
                *AMOUNT_FIELDS,
                "updated_at",
            ]
        )
        _record(locked, actor, Status.SUBMITTED, note or "Approved")
    return _sync(claim, locked)


def reject(claim, *, actor, reason):
    """submitted -> rejected, with a reason the contributor will read."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = _lock(claim)
        _require_coordinator(locked, actor, "reject")
        _require_status(locked, [Status.SUBMITTED], "rejected")
        if not reason:
            raise ClaimError("Give a reason for rejecting the claim: the contributor will read it.")
        locked.status = Status.REJECTED
        locked.decided_at = timezone.now()
        locked.decision_wait = _wait(locked.submitted_at, locked.decided_at)
        locked.decided_by = actor
        locked.decision_reason = reason
        locked.save(
            update_fields=[
                "status",
                "decided_at",
                "decision_wait",
                "decided_by",
                "decision_reason",
                "updated_at",
            ]
        )
        _record(locked, actor, Status.SUBMITTED, reason)
    return _sync(claim, locked)


def mark_paid(claim, *, actor, payout=None, reference=""):
    """approved -> paid. `payout` is the payout record (e.g. a Stripe transfer) that paid it, if any;
    its `reference` (or `reference`) is kept as the payment reference."""
    reference = (
        reference or getattr(payout, "reference", "") or (str(payout.pk) if payout is not None else "")
    )
    with transaction.atomic():
        locked = _lock(claim)
        _require_coordinator(locked, actor, "mark as paid")
        _require_status(locked, [Status.APPROVED], "marked as paid")
        locked.status = Status.PAID
        locked.paid_at = timezone.now()
        locked.payment_wait = _wait(locked.decided_at, locked.paid_at)
        locked.payment_reference = reference[:120]
        locked.save(update_fields=["status", "paid_at", "payment_wait", "payment_reference", "updated_at"])
        _record(locked, actor, Status.APPROVED, f"Paid{': ' + reference if reference else ''}")
    return _sync(claim, locked)


def mark_declined(claim, *, actor, note=""):
    """approved -> declined: the contributor chose not to be paid. The approved amount is kept as it was."""
    with transaction.atomic():
        locked = _lock(claim)
        if actor is None or actor.pk != locked.contributor_id:
            _require_coordinator(locked, actor, "mark as declined")
        _require_status(locked, [Status.APPROVED], "marked as declined")
        locked.status = Status.DECLINED
        locked.save(update_fields=["status", "updated_at"])
        _record(locked, actor, Status.APPROVED, note or "Payment declined")
    return _sync(claim, locked)


def bulk_decide(claims, *, actor, action, reason=""):
    """Approves or rejects several claims; returns (done, refused) with each refusal's message."""
    done, refused = [], []
    for claim in claims:
        try:
            if action == "approve":
                approve(claim, actor=actor)
            else:
                reject(claim, actor=actor, reason=reason)
            done.append(claim)
        except ClaimError as exc:
            refused.append((claim, str(exc)))
    return done, refused


# ---------------------------------------------------------------------------------------------
# Limits


def earnings_between(contributor, start, end, *, exclude_pk=None):
    """Fees (not expenses, which are not earnings) claimed for work between two dates inclusive,
    counting submitted and approved claims and those paid; declined and rejected ones earn nothing."""
    return calculation.money(
        InvolvementClaim.objects.filter(
            contributor=contributor,
            work_date__gte=start,
            work_date__lte=end,
            status__in=[Status.SUBMITTED, Status.APPROVED, Status.PAID],
        )
        .exclude(pk=exclude_pk)
        .aggregate(total=Sum("fee_amount"))["total"]
        or ZERO
    )


def limit_warnings(claim):
    """Messages for each personal limit (week, month, tax year) this claim would take the contributor past."""
    profile = getattr(claim.contributor, "contributor_profile", None)
    if profile is None:
        return []
    day = claim.work_date
    week_start = day - datetime.timedelta(days=day.weekday())
    month_start = day.replace(day=1)
    next_month = (month_start + datetime.timedelta(days=32)).replace(day=1)
    periods = [
        ("week", profile.weekly_limit, week_start, week_start + datetime.timedelta(days=6)),
        ("month", profile.monthly_limit, month_start, next_month - datetime.timedelta(days=1)),
        ("tax year", profile.tax_year_limit, *tax_year_bounds(day)),
    ]
    warnings = []
    for name, limit, start, end in periods:
        if limit is None:
            continue
        before = earnings_between(claim.contributor, start, end, exclude_pk=claim.pk)
        after = before + claim.fee_amount
        if after > limit:
            warnings.append(
                f"With this claim your fees for the {name} from {start:%d %b %Y} to {end:%d %b %Y} would be "
                f"{calculation.pounds(after)}, more than the limit of {calculation.pounds(limit)} you set. "
                "You can still submit it, lower the amount, or talk to a welfare-rights adviser."
            )
    return warnings


def overdue_claims(now=None):
    """Approved claims not paid within the pay-within period of the version they were approved under."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for pk, days in PolicyVersion.objects.values_list("pk", "pay_within_days"):
        condition |= Q(policy_version_id=pk, decided_at__lt=now - datetime.timedelta(days=days))
    return (
        InvolvementClaim.objects.filter(condition, status=Status.APPROVED)
        .select_related("contributor", "policy_version")
        .order_by("decided_at")
    )


# ---------------------------------------------------------------------------------------------
# Event attendance


ACTIVITY_SYNONYMS = {
    "workshop": "meeting",
    "meeting": "meeting",
    "focus group": "meeting",
    "advisory group": "meeting",
    "training": "training",
    "course": "training",
    "reading": "preparation",
    "review": "reviewing",
    "interview": "fieldwork",
    "fieldwork": "fieldwork",
    "presentation": "cowriting",
    "presenting": "cowriting",
    "writing": "cowriting",
    "social": "social",
}


def activity_for_event(value):
    """Maps an event's free-text activity type (a value, a label, or a common word) to an ActivityType."""
    from .models import ActivityType

    text = (value or "").strip().lower()
    for choice, label in ActivityType.choices:
        if text in (choice, label.lower()):
            return choice
    for word, choice in ACTIVITY_SYNONYMS.items():
        if word in text:
            return choice
    return ActivityType.MEETING


def claim_for_attendance(registration):
    """Creates one submitted claim for a signed-in contributor's recorded attendance at a paid event.

    Returns the claim, or None when nothing is due (not attended, not a paid event, no contributor
    account, or already claimed). Idempotent: the one-to-one link to the registration means a repeat
    signal can never make a second claim. The claim is submitted, so it waits for a coordinator.
    """
    event = registration.event
    user = registration.user
    if registration.attendance != "attended" or not event.is_paid_involvement:
        return None
    if user is None or not user.is_contributor:
        return None
    if InvolvementClaim.objects.filter(registration=registration).exists():
        return None
    minutes = int((event.end - event.start).total_seconds() // 60)
    data = {
        "work_date": event.local_start.date(),
        "activity_type": activity_for_event(event.involvement_activity_type),
        "duration_minutes": min(minutes, MINUTES_IN_A_DAY),
        "preparation_minutes": 0,
        "project": event.title[:200],
        "notes": "Made from your recorded attendance at this event.",
    }
    with transaction.atomic():
        claim = create_draft(contributor=user, data=data, registration=registration)
        claim.status = Status.SUBMITTED
        claim.submitted_at = timezone.now()
        claim.save(update_fields=["status", "submitted_at", "updated_at"])
        _record(claim, None, Status.DRAFT, "Submitted automatically from recorded event attendance")
    return claim


def on_attendance_recorded(sender, registration, **kwargs):
    """Receiver for events.signals.attendance_recorded. A claim that cannot be made (no policy for the
    date, over 24 hours in the day) is logged, never raised: recording attendance must not fail."""
    import logging

    try:
        claim_for_attendance(registration)
    except ClaimError as exc:
        logging.getLogger(__name__).warning(
            "No involvement claim for registration %s: %s", registration.pk, exc
        )
