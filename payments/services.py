"""Every state change of a claim: the one state machine for a claim and its money.

Each transition runs inside transaction.atomic(), locks what it depends on (portal.locking), re-checks
the state it needs, saves with update_fields and writes an audit entry (portal.audit). An illegal transition raises
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
- Only the contributor edits, submits or withdraws their claim, and only while draft or submitted; for a
  claim a coordinator entered on their behalf (`create_on_behalf`), that coordinator may too.
- Only a coordinator approves or rejects, never a claim of their own, and never one they entered on
  someone's behalf (another coordinator decides it).
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

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal import audit
from portal.locking import lock_one, race_point

from . import claim_rules, notifications, signals
from .errors import ClaimBusy, ClaimError
from .expectations import expected_payment
from .models import ContributorProfile, EnteredFrom, Involvement, InvolvementClaim

Status = InvolvementClaim.Status
EDITABLE_FIELDS = [
    "work_date",
    "activity_type",
    "duration_minutes",
    "preparation_minutes",
    "project",
    "involvement",
    "notes",
]
# Deciding claims (approve, reject, decline on someone's behalf) is this permission (Coordinators have it).
DECIDE = "payments.change_involvementclaim"
# Entering a claim on someone's behalf (from a signed sheet or a call); Coordinators have it.
ENTER = "payments.add_involvementclaim"
# Recording a contributor who has no e-mail address; Coordinators have it.
RECORD_CONTRIBUTOR = "payments.add_contributorprofile"
CHANGED = "payments.claim.changed"  # the audit action of every change of a claim
AMOUNT_FIELDS = ["policy_version", "fee_amount", "expenses_amount", "total_amount", "explanation"]


# ---------------------------------------------------------------------------------------------
# Locks, checks and the audit trail


def _lock_person(user_id):
    """Serialises every change to one person's claims that could take their day past 24 hours."""
    lock_one(get_user_model().objects.all(), pk=user_id, timeout_error=ClaimBusy)


def lock_claim(claim):
    return lock_one(InvolvementClaim.objects.all(), pk=claim.pk, timeout_error=ClaimBusy)


def sync(target, source):
    """Copies the saved state back onto the caller's instance."""
    for f in InvolvementClaim._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


def record(claim, actor, from_status, note=""):
    """The claim's audit entry (Wagtail's log: the claim's History page and the contributor's trail)."""
    return audit.record_change(
        claim, CHANGED, actor=actor, from_status=from_status, to_status=claim.status, note=note
    )


def _is_entering_coordinator(claim, actor):
    return (
        actor is not None
        and claim.entered_by_id is not None
        and actor.pk == claim.entered_by_id
        and actor.is_active
        and actor.has_perm(ENTER)
    )


def require_owner(claim, actor, doing):
    if _is_entering_coordinator(claim, actor):
        return  # the coordinator who entered it on the contributor's behalf looks after it until decided
    if actor is None or actor.pk != claim.contributor_id:
        raise ClaimError(f"Only the person who made this claim can {doing} it.")


def _require_coordinator(claim, actor, doing):
    if actor is None or not actor.is_active or not actor.has_perm(DECIDE):
        raise ClaimError(f"Only a coordinator can {doing} claims.")
    if actor.pk == claim.contributor_id:
        raise ClaimError(f"You cannot {doing} a claim of your own. Please ask another coordinator.")
    if actor.pk == claim.entered_by_id:
        raise ClaimError(
            f"You entered this claim on the contributor's behalf, so you cannot {doing} it. "
            "Please ask another coordinator."
        )


def require_status(claim, allowed, doing):
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


def _validate(claim):
    if claim.involvement_id is not None:
        involvement = Involvement.objects.filter(pk=claim.involvement_id).first()
        if involvement is None or involvement.person_id != claim.contributor_id:
            raise ClaimError("Choose one of your own roles for this claim, or none.")
    claim_rules.validate_input(
        contributor=claim.contributor,
        work_date=claim.work_date,
        duration_minutes=claim.duration_minutes,
        preparation_minutes=claim.preparation_minutes,
        exclude_pk=claim.pk,
    )
    claim_rules.check_same_event(
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
            claim_rules.recalculate(claim)
            claim.save()
            record(claim, actor, "", "Created")
    except IntegrityError as exc:
        raise ClaimError("There is already a claim for this event attendance.") from exc
    return claim


def edit_claim(claim, *, actor, data):
    """Changes a draft or submitted claim; the amount is worked out again."""
    with transaction.atomic():
        _lock_person(claim.contributor_id)
        locked = lock_claim(claim)
        require_owner(locked, actor, "change")
        require_status(locked, [Status.DRAFT, Status.SUBMITTED], "changed")
        for name in EDITABLE_FIELDS:
            if name in data:
                setattr(locked, name, data[name])
        _validate(locked)
        claim_rules.recalculate(locked)
        locked.save(update_fields=[*EDITABLE_FIELDS, *AMOUNT_FIELDS, "updated_at"])
        record(locked, actor, locked.status, "Edited")
    return sync(claim, locked)


def submit(claim, *, actor, automatic=False):
    """draft -> submitted, by the contributor; or by the portal (`automatic`, actor None) for a claim
    made from recorded event attendance."""
    with transaction.atomic():
        _lock_person(claim.contributor_id)
        locked = lock_claim(claim)
        if automatic:
            if locked.registration_id is None:
                raise ClaimError("Only claims made from event attendance are submitted automatically.")
        else:
            require_owner(locked, actor, "submit")
        require_status(locked, [Status.DRAFT], "submitted")
        _validate(locked)
        claim_rules.recalculate(locked)
        locked.status = Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at", *AMOUNT_FIELDS, "updated_at"])
        note = "Submitted automatically from recorded event attendance" if automatic else "Submitted"
        record(locked, actor, Status.DRAFT, note)
    return sync(claim, locked)


def withdraw(claim, *, actor):
    """submitted -> draft, by the contributor, before a coordinator decides."""
    with transaction.atomic():
        locked = lock_claim(claim)
        require_owner(locked, actor, "withdraw")
        require_status(locked, [Status.SUBMITTED], "withdrawn")
        locked.status = Status.DRAFT
        locked.submitted_at = None
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
        record(locked, actor, Status.SUBMITTED, "Withdrawn")
    return sync(claim, locked)


def create_on_behalf(*, contributor, actor, data, entered_from, agreement, expenses=()):
    """A claim a coordinator enters for `contributor` (from a signed sheet, a call or in person) and
    submits at once: the same rules, calculation and audit as a claim the contributor makes, marked with
    who entered it, from what, and how the person agreed. Another coordinator decides it.

    `expenses` are dicts as payments.expenses.add_expense takes them, added before submitting. Everything
    happens in one transaction: a refused expense leaves no claim. Refused: anyone without the ENTER
    permission, a claim for oneself, no note of the person's agreement, and whatever a claim is refused for.
    """
    from . import expenses as claim_expenses  # expenses builds on this module

    if actor is None or not actor.is_active or not actor.has_perm(ENTER):
        raise ClaimError("Only a coordinator can enter a claim on someone's behalf.")
    if actor.pk == contributor.pk:
        raise ClaimError("Make your own claims yourself, from your involvement page.")
    if not contributor.is_active:
        raise ClaimError("This person's record is closed, so no claim can be entered for them.")
    if entered_from not in EnteredFrom.values:
        raise ClaimError("Say where the claim came from: a signed sheet, a phone call or in person.")
    agreement = (agreement or "").strip()
    if not agreement:
        raise ClaimError(
            "Note how the person agreed to this claim (for example: signed sheet dated 3 March; agreed on "
            "the phone on 4 March)."
        )
    fields = {name: data[name] for name in EDITABLE_FIELDS if name in data}
    fields.setdefault("preparation_minutes", 0)
    fields.setdefault("notes", "")
    source = EnteredFrom(entered_from).label.lower()
    with transaction.atomic():
        _lock_person(contributor.pk)
        claim = InvolvementClaim(
            contributor=contributor,
            status=Status.DRAFT,
            entered_by=actor,
            entered_from=entered_from,
            agreement_note=agreement[:2000],
            **fields,
        )
        _validate(claim)
        claim_rules.recalculate(claim)
        claim.save()
        record(
            claim,
            actor,
            "",
            f"Entered by {actor} on behalf of {contributor} from {source}. Agreement: {agreement}",
        )
        for expense in expenses:
            claim_expenses.add_expense(claim, actor=actor, data=expense)
        claim.refresh_from_db()
        claim_rules.recalculate(claim)
        claim.status = Status.SUBMITTED
        claim.submitted_at = timezone.now()
        claim.save(update_fields=["status", "submitted_at", *AMOUNT_FIELDS, "updated_at"])
        record(claim, actor, Status.DRAFT, f"Submitted on {contributor}'s behalf by {actor}")
    return claim


# ---------------------------------------------------------------------------------------------
# Coordinator decisions


def approve(claim, *, actor, note=""):
    """submitted -> approved. Re-checks the day's 24 hours, works the amount out one last time and
    freezes it with its version."""
    with transaction.atomic():
        _lock_person(claim.contributor_id)
        locked = lock_claim(claim)
        _require_coordinator(locked, actor, "approve")
        require_status(locked, [Status.SUBMITTED], "approved")
        claim_rules.check_day_total(
            contributor_id=locked.contributor_id,
            work_date=locked.work_date,
            minutes=locked.duration_minutes,
            exclude_pk=locked.pk,
            for_coordinator=True,
        )
        claim_rules.recalculate(locked)
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
        record(locked, actor, Status.SUBMITTED, note or "Approved")
        notifications.notify_approved(locked.pk)  # sent once this commits
    return sync(claim, locked)


def reject(claim, *, actor, reason):
    """submitted -> rejected, with a reason the contributor will read."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = lock_claim(claim)
        _require_coordinator(locked, actor, "reject")
        require_status(locked, [Status.SUBMITTED], "rejected")
        if not reason:
            raise ClaimError("Give a reason for rejecting the claim: the contributor will read it.")
        locked.status = Status.REJECTED
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.decision_reason = reason
        locked.save(update_fields=["status", "decided_at", "decided_by", "decision_reason", "updated_at"])
        record(locked, actor, Status.SUBMITTED, reason)
        notifications.notify_rejected(locked.pk)  # sent once this commits
    return sync(claim, locked)


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
        locked = lock_claim(claim)
        require_status(locked, [Status.APPROVED], "marked as paid")
        item = _holding_item(locked)
        if item is None or item.payout_id != payout.pk:
            raise ClaimError(f"Payout {payout.pk} does not hold this claim, so it cannot pay it.")
        locked.status = Status.PAID
        locked.paid_at = timezone.now()
        locked.payment_reference = (reference or f"payout {payout.pk}")[:120]
        locked.save(update_fields=["status", "paid_at", "payment_reference", "updated_at"])
        record(locked, actor, Status.APPROVED, f"Paid £{item.amount} by payout {payout.pk}: {reference}")
    return sync(claim, locked)


def mark_declined(claim, *, actor, payout=None, note=""):
    """approved -> declined: the contributor chose not to be paid (the approved amount is kept as it was).

    By the contributor, by a coordinator on their behalf, or by a declined/donated payout closing
    (`payout`). A payout that is still waiting to pay the claim lets go of it first; one that is already
    sending the money refuses, and so does this."""
    with transaction.atomic():
        locked = lock_claim(claim)
        if payout is None and (actor is None or actor.pk != locked.contributor_id):
            _require_coordinator(locked, actor, "mark as declined")
        require_status(locked, [Status.APPROVED], "marked as declined")
        item = _holding_item(locked)
        if payout is not None:
            if item is None or item.payout_id != payout.pk:
                raise ClaimError(f"Payout {payout.pk} does not hold this claim.")
        else:
            _release_from_payout(locked, actor, "Payment declined by the contributor")
        locked.status = Status.DECLINED
        locked.save(update_fields=["status", "updated_at"])
        record(locked, actor, Status.APPROVED, note or "Payment declined")
    return sync(claim, locked)


def reopen(claim, *, payout, actor=None, note=""):
    """paid -> approved, once the payout that paid it has had the money back and let go of it."""
    with transaction.atomic():
        locked = lock_claim(claim)
        require_status(locked, [Status.PAID], "reopened")
        if _holding_item(locked) is not None:
            raise ClaimError("A payout still holds this claim, so it cannot be reopened.")
        locked.status = Status.APPROVED
        locked.paid_at = None
        locked.payment_reference = ""
        locked.save(update_fields=["status", "paid_at", "payment_reference", "updated_at"])
        record(locked, actor, Status.PAID, note or f"Reopened: the money from payout {payout.pk} came back")
    return sync(claim, locked)


# ---------------------------------------------------------------------------------------------
# Corrections


def cancel(claim, *, actor=None, reason):
    """draft/submitted/approved -> cancelled, when the work it claims did not happen (attendance was
    corrected). An approved claim leaves its payout first; a paid one cannot be cancelled here."""
    with transaction.atomic():
        locked = lock_claim(claim)
        require_status(locked, [Status.DRAFT, Status.SUBMITTED, Status.APPROVED], "cancelled")
        previous = locked.status
        if previous == Status.APPROVED:
            _release_from_payout(locked, actor, reason)
        locked.status = Status.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        record(locked, actor, previous, reason)
    return sync(claim, locked)


def reinstate(claim, *, actor=None, note):
    """cancelled -> submitted, when the correction that cancelled it is itself corrected. The claim goes
    back to a coordinator, with its amount and the day's 24 hours checked again."""
    with transaction.atomic():
        _lock_person(claim.contributor_id)
        locked = lock_claim(claim)
        require_status(locked, [Status.CANCELLED], "reinstated")
        _validate(locked)
        claim_rules.recalculate(locked)
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
        record(locked, actor, Status.CANCELLED, note)
    return sync(claim, locked)


def send_late_payment_notices(*, today=None):
    """Tells each contributor whose approved claim has passed the date they were told to expect it
    (payments.expectations), once per claim, naming who to contact. Returns how many were sent.

    Idempotent, and safe from several machines at once: each claim is locked, re-read and sent only
    if no notice was recorded for it; the e-mail goes after the commit that records it."""
    today = today or timezone.localdate()
    candidates = InvolvementClaim.objects.filter(
        status=Status.APPROVED, late_notice_sent_at__isnull=True
    ).select_related("policy_version")
    sent = 0
    for candidate in candidates.order_by("pk"):
        expected = expected_payment(candidate, today=today)
        if expected is None or not expected.late:
            continue
        with transaction.atomic():
            locked = lock_claim(candidate)
            if locked.status != Status.APPROVED or locked.late_notice_sent_at is not None:
                continue
            expected = expected_payment(locked, today=today)
            if expected is None or not expected.late:
                continue
            locked.late_notice_sent_at = timezone.now()
            locked.save(update_fields=["late_notice_sent_at"])
            audit.record_change(
                locked,
                CHANGED,
                actor=None,
                from_status=locked.status,
                to_status=locked.status,
                note=f"Told the contributor the payment is late (expected by {expected.date:%-d %B %Y})",
            )
            notifications.notify_late(locked.pk)
            sent += 1
    return sent


def flag(claim, *, note):
    """Records, without changing the status, something a coordinator must look at (e.g. attendance was
    corrected after the claim was paid)."""
    record(claim, None, claim.status, note)


# ---------------------------------------------------------------------------------------------
# Involvements


INVOLVEMENT_STARTED = "payments.involvement.started"


def start_involvement(
    *, person, title, start_date, end_date=None, opportunity=None, activity_type="", actor=None
):
    """Records a person's role (an Involvement), makes sure they have a contributor profile, and writes
    an audit entry. Runs inside the caller's transaction when there is one (accepting an offer locks
    the application, so it happens once); the person is locked so their profile is made once too."""
    if end_date is not None and end_date < start_date:
        raise ClaimError("A role cannot end before it starts.")
    with transaction.atomic():
        _lock_person(person.pk)
        involvement = Involvement.objects.create(
            person=person,
            title=title[:200],
            activity_type=activity_type or Involvement._meta.get_field("activity_type").default,
            opportunity=opportunity,
            start_date=start_date,
            end_date=end_date,
        )
        ContributorProfile.objects.get_or_create(user=person, defaults={"display_name": str(person)[:120]})
        audit.record_change(
            involvement,
            INVOLVEMENT_STARTED,
            actor=actor,
            from_status="",
            to_status="started",
            note=f"{title} from {start_date:%d %B %Y}",
        )
    return involvement


# ---------------------------------------------------------------------------------------------
# People without e-mail


CONTRIBUTOR_RECORDED = "payments.contributor.recorded"


def _digits(phone):
    return "".join(ch for ch in (phone or "") if ch.isdigit())


def record_offline_contributor(
    *,
    actor,
    first_name,
    last_name,
    phone="",
    postal_address="",
    consent_how="",
    consent_on=None,
    payment_preference="",
):
    """Records a contributor who has no e-mail address (docs/people-without-email.md): a person with no
    sign-in, their contributor profile, and — only with their consent, noted with how and when — their
    phone number and postal address. Paid by a recorded bank transfer or voucher; never e-mailed.

    Refused: anyone without RECORD_CONTRIBUTOR, a missing name, a phone number or address without a note
    of consent, and a second record of the same name and phone number (the message names the first)."""
    from django.contrib.auth.models import Group

    from accounts.models import CONTRIBUTORS

    if actor is None or not actor.is_active or not actor.has_perm(RECORD_CONTRIBUTOR):
        raise ClaimError("Only a coordinator can record a contributor.")
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    phone, postal_address = (phone or "").strip(), (postal_address or "").strip()
    consent_how = (consent_how or "").strip()
    if not first_name or not last_name:
        raise ClaimError("Enter the person's first and last name.")
    if (phone or postal_address) and not (consent_how and consent_on):
        raise ClaimError(
            "Record how and when the person agreed to us keeping their phone number or address, or leave "
            "them out."
        )
    if payment_preference and payment_preference not in ContributorProfile.PaymentPreference.values:
        raise ClaimError("Choose one of the ways to be paid.")
    if payment_preference == ContributorProfile.PaymentPreference.STRIPE:
        raise ClaimError("Stripe needs the person to sign in: choose a bank transfer or vouchers.")
    User = get_user_model()
    group = Group.objects.get_or_create(name=CONTRIBUTORS)[0]
    with transaction.atomic():
        # Recording people is serialised on the Contributors group's row, so two coordinators typing in the
        # same person at once cannot both pass the duplicate check (race_point marks the gap for tests).
        lock_one(Group.objects.all(), pk=group.pk, timeout_error=ClaimBusy)
        if phone:
            same_name = User.objects.filter(first_name__iexact=first_name, last_name__iexact=last_name)
            for person in same_name:
                if _digits(person.phone) == _digits(phone):
                    raise ClaimError(
                        f"{person} with this phone number is already recorded (person {person.pk}): "
                        "enter claims for them instead of recording them again."
                    )
        race_point("payments.offline_contributor_checked")
        user = User.objects.create_without_email(
            first_name=first_name[:150], last_name=last_name[:150], phone=phone[:40]
        )
        user.groups.add(group)
        profile = ContributorProfile.objects.create(
            user=user,
            display_name=str(user)[:120],
            payment_preference=payment_preference,
            postal_address=postal_address[:2000],
            contact_consent_on=consent_on if (phone or postal_address) else None,
            contact_consent_how=consent_how[:200] if (phone or postal_address) else "",
            contact_consent_recorded_by=actor if (phone or postal_address) else None,
        )
        consent = (
            f"; consent to keep phone and address: {consent_how} on {consent_on:%d %B %Y}"
            if (phone or postal_address)
            else "; no phone number or address kept"
        )
        audit.record_change(
            profile,
            CONTRIBUTOR_RECORDED,
            actor=actor,
            from_status="",
            to_status="recorded",
            note=f"Recorded without an e-mail address by {actor}{consent}",
        )
    return profile
