"""Every state change of a claim: the one state machine for a claim and its money.

Each transition runs inside transaction.atomic(), locks what it depends on (portal.locking), re-checks
the state it needs, saves with update_fields and writes a ClaimEvent. An illegal transition raises
ClaimError with a message that can be shown to the person as it is. Nothing else assigns a claim's
status: views, payouts, attendance and the admin call these functions.

States:
    draft -> submitted -> approved | rejected          (contributor submits, coordinator decides)
    submitted -> draft                                 (withdraw, before a decision)
    approved -> paid                                   (only by the payout that holds the claim)
    approved -> declined                               (the contributor's choice, or a declined payout)
    draft | submitted | approved -> cancelled          (attendance corrected: the work did not happen)
    cancelled -> submitted                             (attendance corrected back)
    paid -> approved                                   (reopened after its payout's money came back)

Invariants:
- Only the contributor edits, submits or withdraws their claim, and only while draft or submitted.
- Only a coordinator approves or rejects, and never a claim of their own.
- On approval the amounts, explanation and policy version are recalculated and then never change.
- Money reaches a claim only through a payout. A payout holds a claim through a PayoutItem
  (`claim.payout_items`, held while `released_at` is empty): a held claim is paid only by that payout, and
  is declined or cancelled only after the payout has let go of it (`signals.release_requested`), in the
  same transaction.
- No person has more than 24 hours of claimed work (any claim not rejected or cancelled) on one day.
  Every change that adds time or makes a claim count (create, edit, submit, approve, reinstate) first
  locks the person, so two simultaneous changes are checked one after the other.
- Lock order: the person, then the claim, then its payout. Payouts lock claims before themselves too.
- Refused input: zero or negative time, a future date, a date no policy version covers, a second claim
  for the same event attendance, or a manual claim for an event the person's attendance already claims.
"""

import re

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from portal.locking import lock_one, race_point

from . import calculation, signals
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
# Claims whose time counts towards the 24 hours of a day.
NOT_COUNTED = [Status.REJECTED, Status.CANCELLED]
PAYABLE = [Status.APPROVED, Status.PAID]


class ClaimError(Exception):
    """A claim change that is not allowed; the message is shown to the person."""


class ClaimBusy(ClaimError):
    """Someone else is changing the same claim (or the same person's claims) right now."""


# ---------------------------------------------------------------------------------------------
# Calculation


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


# ---------------------------------------------------------------------------------------------
# Locks, checks and the audit trail


def _lock_person(user_id):
    """Serialises every change to one person's claims that could take their day past 24 hours."""
    lock_one(get_user_model().objects.all(), pk=user_id, timeout_error=ClaimBusy)


def _lock(claim):
    return lock_one(InvolvementClaim.objects.all(), pk=claim.pk, timeout_error=ClaimBusy)


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


def _holding_item(claim):
    """The payout item that holds this claim, if a payout holds it."""
    return claim.payout_items.filter(released_at__isnull=True).select_related("payout").first()


def _release_from_payout(claim, actor, reason):
    """Asks the payout holding an approved claim to let go of it, in this transaction."""
    if _holding_item(claim) is None:
        return
    signals.release_requested.send(sender=InvolvementClaim, claim=claim, actor=actor, reason=reason)
    item = _holding_item(claim)
    if item is not None:
        raise ClaimError(
            f"This claim is part of payout {item.payout_id}, which has not let go of it, so it cannot be "
            "changed. Please ask a coordinator."
        )


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


def _validate(claim):
    validate_input(
        contributor=claim.contributor,
        work_date=claim.work_date,
        duration_minutes=claim.duration_minutes,
        preparation_minutes=claim.preparation_minutes,
        exclude_pk=claim.pk,
    )
    check_same_event(
        contributor_id=claim.contributor_id,
        work_date=claim.work_date,
        project=claim.project,
        registration_id=claim.registration_id,
        exclude_pk=claim.pk,
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
    claim = InvolvementClaim(
        contributor=contributor, status=Status.DRAFT, registration=registration, **fields
    )
    try:
        with transaction.atomic():
            _lock_person(contributor.pk)
            if (
                registration is not None
                and InvolvementClaim.objects.filter(registration=registration).exists()
            ):
                raise ClaimError("There is already a claim for this event attendance.")
            _validate(claim)
            _recalculate(claim)
            claim.save()
            _record(claim, actor, "", "Created")
    except IntegrityError as exc:
        raise ClaimError("There is already a claim for this event attendance.") from exc
    return claim


def edit_claim(claim, *, actor, data):
    """Changes a draft or submitted claim; the amount is worked out again."""
    with transaction.atomic():
        _lock_person(claim.contributor_id)
        locked = _lock(claim)
        _require_owner(locked, actor, "change")
        _require_status(locked, [Status.DRAFT, Status.SUBMITTED], "changed")
        for name in EDITABLE_FIELDS:
            if name in data:
                setattr(locked, name, data[name])
        _validate(locked)
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


def submit(claim, *, actor, automatic=False):
    """draft -> submitted, by the contributor; or by the portal (`automatic`, actor None) for a claim
    made from recorded event attendance."""
    with transaction.atomic():
        _lock_person(claim.contributor_id)
        locked = _lock(claim)
        if automatic:
            if locked.registration_id is None:
                raise ClaimError("Only claims made from event attendance are submitted automatically.")
        else:
            _require_owner(locked, actor, "submit")
        _require_status(locked, [Status.DRAFT], "submitted")
        _validate(locked)
        _recalculate(locked)
        locked.status = Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at", *AMOUNT_FIELDS, "updated_at"])
        note = "Submitted automatically from recorded event attendance" if automatic else "Submitted"
        _record(locked, actor, Status.DRAFT, note)
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
# Coordinator decisions


def approve(claim, *, actor, note=""):
    """submitted -> approved. Re-checks the day's 24 hours, works the amount out one last time and
    freezes it with its version."""
    with transaction.atomic():
        _lock_person(claim.contributor_id)
        locked = _lock(claim)
        _require_coordinator(locked, actor, "approve")
        _require_status(locked, [Status.SUBMITTED], "approved")
        check_day_total(
            contributor_id=locked.contributor_id,
            work_date=locked.work_date,
            minutes=locked.duration_minutes,
            exclude_pk=locked.pk,
            for_coordinator=True,
        )
        _recalculate(locked)
        locked.status = Status.APPROVED
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.decision_reason = note
        locked.save(
            update_fields=[
                "status",
                "decided_at",
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
        locked.decided_by = actor
        locked.decision_reason = reason
        locked.save(update_fields=["status", "decided_at", "decided_by", "decision_reason", "updated_at"])
        _record(locked, actor, Status.SUBMITTED, reason)
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
# Money: called by the payout that holds the claim (payments.payouts), never by views


def mark_paid(claim, *, payout, actor=None, reference=""):
    """approved -> paid, by the payout that holds the claim, as that payout is paid. `actor` is the
    coordinator who recorded it, or None when Stripe or the reconciler settled it."""
    with transaction.atomic():
        locked = _lock(claim)
        _require_status(locked, [Status.APPROVED], "marked as paid")
        item = _holding_item(locked)
        if item is None or item.payout_id != payout.pk:
            raise ClaimError(f"Payout {payout.pk} does not hold this claim, so it cannot pay it.")
        locked.status = Status.PAID
        locked.paid_at = timezone.now()
        locked.payment_reference = (reference or f"payout {payout.pk}")[:120]
        locked.save(update_fields=["status", "paid_at", "payment_reference", "updated_at"])
        _record(locked, actor, Status.APPROVED, f"Paid £{item.amount} by payout {payout.pk}: {reference}")
    return _sync(claim, locked)


def mark_declined(claim, *, actor, payout=None, note=""):
    """approved -> declined: the contributor chose not to be paid (the approved amount is kept as it was).

    By the contributor, by a coordinator on their behalf, or by a declined/donated payout closing
    (`payout`). A payout that is still waiting to pay the claim lets go of it first; one that is already
    sending the money refuses, and so does this."""
    with transaction.atomic():
        locked = _lock(claim)
        if payout is None and (actor is None or actor.pk != locked.contributor_id):
            _require_coordinator(locked, actor, "mark as declined")
        _require_status(locked, [Status.APPROVED], "marked as declined")
        item = _holding_item(locked)
        if payout is not None:
            if item is None or item.payout_id != payout.pk:
                raise ClaimError(f"Payout {payout.pk} does not hold this claim.")
        else:
            _release_from_payout(locked, actor, "Payment declined by the contributor")
        locked.status = Status.DECLINED
        locked.save(update_fields=["status", "updated_at"])
        _record(locked, actor, Status.APPROVED, note or "Payment declined")
    return _sync(claim, locked)


def reopen(claim, *, payout, actor=None, note=""):
    """paid -> approved, once the payout that paid it has had the money back and let go of it."""
    with transaction.atomic():
        locked = _lock(claim)
        _require_status(locked, [Status.PAID], "reopened")
        if _holding_item(locked) is not None:
            raise ClaimError("A payout still holds this claim, so it cannot be reopened.")
        locked.status = Status.APPROVED
        locked.paid_at = None
        locked.payment_reference = ""
        locked.save(update_fields=["status", "paid_at", "payment_reference", "updated_at"])
        _record(locked, actor, Status.PAID, note or f"Reopened: the money from payout {payout.pk} came back")
    return _sync(claim, locked)


# ---------------------------------------------------------------------------------------------
# Corrections


def cancel(claim, *, actor=None, reason):
    """draft/submitted/approved -> cancelled, when the work it claims did not happen (attendance was
    corrected). An approved claim leaves its payout first; a paid one cannot be cancelled here."""
    with transaction.atomic():
        locked = _lock(claim)
        _require_status(locked, [Status.DRAFT, Status.SUBMITTED, Status.APPROVED], "cancelled")
        previous = locked.status
        if previous == Status.APPROVED:
            _release_from_payout(locked, actor, reason)
        locked.status = Status.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        _record(locked, actor, previous, reason)
    return _sync(claim, locked)


def reinstate(claim, *, actor=None, note):
    """cancelled -> submitted, when the correction that cancelled it is itself corrected. The claim goes
    back to a coordinator, with its amount and the day's 24 hours checked again."""
    with transaction.atomic():
        _lock_person(claim.contributor_id)
        locked = _lock(claim)
        _require_status(locked, [Status.CANCELLED], "reinstated")
        _validate(locked)
        _recalculate(locked)
        locked.status = Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.decided_at = None
        locked.decided_by = None
        locked.decision_reason = ""
        locked.save(
            update_fields=[
                "status",
                "submitted_at",
                "decided_at",
                "decided_by",
                "decision_reason",
                *AMOUNT_FIELDS,
                "updated_at",
            ]
        )
        _record(locked, actor, Status.CANCELLED, note)
    return _sync(claim, locked)


def flag(claim, *, note):
    """Records, without changing the status, something a coordinator must look at (e.g. attendance was
    corrected after the claim was paid)."""
    ClaimEvent.objects.create(
        claim=claim, actor=None, from_status=claim.status, to_status=claim.status, note=note
    )
