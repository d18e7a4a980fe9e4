"""Every state change of an application: the only module that assigns an application's status.

Each change runs in transaction.atomic(), locks the application (portal.locking), re-checks its state,
saves, writes an audit entry (portal.audit: the application's History page in the admin) and queues
the applicant's e-mail to go once the transaction commits.

States:
    received -> shortlisted -> offered -> accepted | declined     (coordinators; the applicant may
                                                                   accept or decline an offer by link)
    received | shortlisted | offered -> not_selected             (coordinators, with a kind e-mail)
    received | shortlisted | offered -> withdrawn                (the applicant, by link)
    withdrawn -> received                                        (the person applies again while open)
    withdrawn -> where it was                                    (the applicant undoes it, within a day)

Accepting an offer is done once, however often it is clicked and from however many processes: the
application's lock is held while the account is found or created (with no password: the person is
invited to set one), put in the Contributors group, and the role is recorded as an Involvement
(`payments.services.start_involvement`). A second call finds the application accepted and changes
nothing.
"""

import dataclasses

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import CONTRIBUTORS
from payments import services as payments_services
from payments.errors import ClaimError
from portal import audit, ratelimit
from portal.cache import purging
from portal.http import client_ip
from portal.locking import lock_one, race_point

from .choices import MONITORING_QUESTIONS, access_retention_period
from .emails import queue_application_email
from .models import Application, EqualityMonitoring, OpportunityPage

Status = Application.Status
CHANGED = "opportunities.application.changed"
DECIDE = "opportunities.change_application"
EDITABLE = (
    "name",
    "phone",
    "postal_address",
    "preferred_contact",
    "access_needs",
    "support_needed",
    "answers",
)
# The decisions coordinators make, from where, and the e-mail each sends (None: no e-mail).
DECISIONS = {
    Status.SHORTLISTED: ([Status.RECEIVED], "shortlisted"),
    Status.OFFERED: ([Status.RECEIVED, Status.SHORTLISTED], "offered"),
    Status.NOT_SELECTED: ([Status.RECEIVED, Status.SHORTLISTED, Status.OFFERED], "not_selected"),
    Status.DECLINED: ([Status.OFFERED], "declined"),
}


class ApplicationRefused(Exception):
    """A change that cannot happen; the message is shown to the person as it is."""


class ApplicationBusy(ApplicationRefused):
    """Someone else is changing the same application right now."""


class AlreadyApplied(ApplicationRefused):
    def __init__(self, application):
        self.application = application
        super().__init__(
            "You have already applied for this opportunity with this e-mail address. We have sent you a new "
            "link to see or change your application."
        )


@dataclasses.dataclass
class AcceptResult:
    application: Application
    new_account: bool = False
    already_accepted: bool = False


def _lock(application):
    # Only the application's row is locked (`of`): PostgreSQL cannot lock the nullable side of the
    # join to its user.
    return lock_one(
        Application.objects.select_related("opportunity", "user"),
        pk=application.pk,
        of=("self",),
        timeout_error=ApplicationBusy,
    )


def _record(application, actor, from_status, note=""):
    audit.record_change(
        application, CHANGED, actor=actor, from_status=from_status, to_status=application.status, note=note
    )


def _sync(target, source):
    for field in Application._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


def _retain_access_info(application, now):
    application.access_info_retain_until = now + access_retention_period()


def _require(application, allowed, doing):
    if application.status not in allowed:
        raise ApplicationRefused(
            f"This application is {application.get_status_display().lower()}, so it cannot be {doing}."
        )


def _require_coordinator(actor):
    if actor is None or not actor.is_active or not actor.has_perm(DECIDE):
        raise ApplicationRefused("Only a coordinator can decide on applications.")


def check_rate_limit(request):
    """Counts this application against the sender's allowance (per client address, in the shared cache)."""
    limit, window = settings.OPPORTUNITIES_APPLY_RATE_LIMIT
    if ratelimit.hit("opportunities.apply", client_ip(request), window) > limit:
        raise ApplicationRefused(
            "Several applications have come from your connection in a short time. Please wait a few minutes "
            "and try again; what you wrote is still in the form."
        )


# ---------------------------------------------------------------------------------------------
# The applicant


def apply(opportunity, *, data, request=None, user=None, now=None):
    """Stores an expression of interest and e-mails the confirmation with its signed link.

    Refused: the honeypot filled in, past the rate limit, after the closing date. A second application
    with the same e-mail raises AlreadyApplied (and e-mails a fresh link); a withdrawn one is reopened.
    Monitoring answers, if any, are stored apart, without a link to the application."""
    if data.get("website"):
        raise ApplicationRefused("Your application could not be sent. Please leave the last field empty.")
    if request is not None:
        check_rate_limit(request)
    now = now or timezone.now()
    email = data["email"].strip().lower()
    duplicate = None
    with transaction.atomic(), purging(opportunity):
        # The page row is the lock for "one application per e-mail": two first attempts wait in turn.
        opportunity = lock_one(
            OpportunityPage.objects.all(), pk=opportunity.pk, timeout_error=ApplicationBusy
        )
        if not opportunity.is_open(timezone.localdate(now)):
            raise ApplicationRefused("This opportunity has closed, so it takes no more applications.")
        application = Application.objects.filter(opportunity=opportunity, email=email).first()
        if application is not None and application.status != Status.WITHDRAWN:
            duplicate = application
        else:
            previous = application.status if application else ""
            application = application or Application(opportunity=opportunity, email=email)
            for name in EDITABLE:
                setattr(application, name, data.get(name, "" if name != "answers" else []))
            application.preferred_contact = (
                data.get("preferred_contact") or Application.ContactPreference.EMAIL
            )
            application.consent_to_contact = bool(data.get("consent_to_contact"))
            application.user = user if user is not None and user.is_authenticated else application.user
            application.status = Status.RECEIVED
            application.created_at = now
            application.status_changed_at = now
            application.access_info_retain_until = None
            application.access_info_purged_at = None
            application.withdrawn_from = ""
            try:
                with transaction.atomic():
                    application.save()
            except IntegrityError:
                duplicate = Application.objects.get(opportunity=opportunity, email=email)
            else:
                _record(application, user if user and user.is_authenticated else None, previous, "Applied")
                monitoring = {
                    k: v for k, v in (data.get("monitoring") or {}).items() if k in MONITORING_QUESTIONS
                }
                if monitoring:
                    EqualityMonitoring.objects.create(
                        opportunity=opportunity,
                        submitted_on=timezone.localdate(now),
                        retain_until=opportunity.closing_date + access_retention_period(),
                        **monitoring,
                    )
                queue_application_email(application, "received")
    if duplicate is not None:
        queue_application_email(duplicate, "link")
        raise AlreadyApplied(duplicate)
    return application


def change_application(application, *, data):
    """The applicant changes their details, answers or needs while the application is open."""
    with transaction.atomic(), purging(application.opportunity):
        locked = _lock(application)
        _require(locked, Status.open(), "changed")
        for name in EDITABLE:
            if name in data:
                setattr(locked, name, data[name])
        locked.save()
        _record(locked, None, locked.status, "Changed by the applicant")
        queue_application_email(locked, "changed")
    return _sync(application, locked)


def withdraw(application):
    """The applicant withdraws (received, shortlisted or offered -> withdrawn)."""
    with transaction.atomic(), purging(application.opportunity):
        locked = _lock(application)
        _require(locked, Status.open(), "withdrawn")
        previous, now = locked.status, timezone.now()
        locked.status = Status.WITHDRAWN
        locked.withdrawn_from = previous
        locked.status_changed_at = now
        _retain_access_info(locked, now)
        locked.save()
        _record(locked, None, previous, "Withdrawn by the applicant")
        queue_application_email(locked, "withdrawn")
    return _sync(application, locked)


def undo_withdrawal(application, *, now=None):
    """The applicant undoes their withdrawal while `Application.can_undo_withdrawal` allows it (a day):
    the application goes back to the status it was withdrawn from (received, shortlisted or offered),
    keeping its place and answers; access information is kept as for any open application. Undoing
    twice (a double click) changes nothing the second time."""
    now = now or timezone.now()
    with transaction.atomic(), purging(application.opportunity):
        locked = _lock(application)
        if locked.status in Status.open() and not locked.withdrawn_from:
            return _sync(application, locked)
        if not locked.can_undo_withdrawal(now):
            raise ApplicationRefused(
                "It is too late to undo the withdrawal. If the opportunity is still open, you can apply again."
            )
        locked.status, locked.withdrawn_from = locked.withdrawn_from, ""
        locked.status_changed_at = now
        locked.access_info_retain_until = None
        locked.save()
        _record(locked, None, Status.WITHDRAWN, "The applicant undid their withdrawal")
        queue_application_email(locked, "restored")
    return _sync(application, locked)


# ---------------------------------------------------------------------------------------------
# Coordinators


def decide(application, *, to_status, actor, note=""):
    """A coordinator's decision: shortlist, offer, not selected, or record that the person declined."""
    _require_coordinator(actor)
    if to_status not in DECISIONS:
        raise ApplicationRefused("That is not a decision that can be made here.")
    allowed, email_kind = DECISIONS[to_status]
    with transaction.atomic(), purging(application.opportunity):
        locked = _lock(application)
        _require(locked, allowed, f"moved to {Status(to_status).label.lower()}")
        previous, now = locked.status, timezone.now()
        locked.status = to_status
        locked.status_changed_at = now
        locked.decided_by = actor
        if to_status in Status.final():
            _retain_access_info(locked, now)
        locked.save()
        _record(locked, actor, previous, note.strip()[:1000])
        queue_application_email(locked, email_kind)
    return _sync(application, locked)


def decline_offer(application, *, actor=None):
    """The applicant declines an offer by their link (actor None), or a coordinator records it."""
    if actor is not None:
        return decide(application, to_status=Status.DECLINED, actor=actor, note="Declined the offer")
    with transaction.atomic(), purging(application.opportunity):
        locked = _lock(application)
        _require(locked, [Status.OFFERED], "declined")
        now = timezone.now()
        locked.status = Status.DECLINED
        locked.status_changed_at = now
        _retain_access_info(locked, now)
        locked.save()
        _record(locked, None, Status.OFFERED, "The applicant declined the offer")
        queue_application_email(locked, "declined")
    return _sync(application, locked)


def _account_for(application):
    """The applicant's account: theirs already, one with their e-mail address, or a new one with no
    password (they set one from the acceptance e-mail). Returns (user, created)."""
    User = get_user_model()
    if application.user_id:
        return application.user, False
    first, _, last = application.name.strip().partition(" ")
    user, created = User.objects.get_or_create(
        email__iexact=application.email,
        defaults={"email": application.email, "first_name": first[:150], "last_name": last[:150]},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user, created


def accept_offer(application, *, actor=None):
    """offered -> accepted, once: by the applicant's link (actor None) or a coordinator recording it.

    Creates or links the account, adds it to Contributors, records the role (Involvement) and e-mails the
    person (with a link to set a password when they have none). Accepting an accepted application again
    changes nothing and sends nothing."""
    if actor is not None:
        _require_coordinator(actor)
    with transaction.atomic(), purging(application.opportunity):
        locked = _lock(application)
        if locked.status == Status.ACCEPTED:
            return AcceptResult(_sync(application, locked), already_accepted=True)
        _require(locked, [Status.OFFERED], "accepted")
        race_point("opportunities.accept")
        user, new_account = _account_for(locked)
        if not user.is_active:
            raise ApplicationRefused(
                "The account with this e-mail address is switched off. Please ask a coordinator."
            )
        group, _ = Group.objects.get_or_create(name=CONTRIBUTORS)
        user.groups.add(group)
        opportunity = locked.opportunity
        now = timezone.now()
        try:
            involvement = payments_services.start_involvement(
                person=user,
                title=opportunity.title,
                activity_type=opportunity.activity_type,
                start_date=opportunity.starts_on or timezone.localdate(now),
                end_date=opportunity.ends_on,
                opportunity=opportunity.page_ptr,
                actor=actor,
            )
        except ClaimError as exc:
            raise ApplicationRefused(str(exc)) from exc
        previous = locked.status
        locked.user = user
        locked.involvement = involvement
        locked.status = Status.ACCEPTED
        locked.status_changed_at = now
        if actor is not None:
            locked.decided_by = actor
        _retain_access_info(locked, now)
        locked.save()
        note = "Accepted: account created" if new_account else "Accepted: existing account linked"
        _record(locked, actor, previous, note)
        queue_application_email(locked, "accepted", new_account=new_account)
    return AcceptResult(_sync(application, locked), new_account=new_account)


# ---------------------------------------------------------------------------------------------
# The way to each status, for demo data and tests: the same calls people make


STEPS_TO = {
    Status.RECEIVED: [],
    Status.SHORTLISTED: [Status.SHORTLISTED],
    Status.OFFERED: [Status.SHORTLISTED, Status.OFFERED],
    Status.ACCEPTED: [Status.SHORTLISTED, Status.OFFERED, Status.ACCEPTED],
    Status.DECLINED: [Status.OFFERED, Status.DECLINED],
    Status.NOT_SELECTED: [Status.NOT_SELECTED],
    Status.WITHDRAWN: [Status.WITHDRAWN],
}


def bring_to(application, status, *, coordinator):
    """Takes a received application to `status` through the transitions people make: the coordinator
    decides and records the acceptance; the applicant withdraws."""
    for step in STEPS_TO[status]:
        if step == Status.WITHDRAWN:
            withdraw(application)
        elif step == Status.ACCEPTED:
            accept_offer(application, actor=coordinator)
        else:
            decide(application, to_status=step, actor=coordinator)
    return application


# ---------------------------------------------------------------------------------------------
# Housekeeping


def purge_access_info(now=None):
    """Deletes access needs and support needed whose retention time has passed (set when an application
    is decided or withdrawn), and those of applications never decided once their opportunity closed
    longer ago than the retention period; and monitoring answers past theirs. Returns (applications
    purged, monitoring answers deleted)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Q(access_info_retain_until__lte=now) | Q(
        access_info_retain_until__isnull=True,
        opportunity__closing_date__lte=today - access_retention_period(),
    )
    purged = Application.objects.filter(due, access_info_purged_at__isnull=True).update(
        access_needs="", support_needed="", access_info_purged_at=now
    )
    deleted, _ = EqualityMonitoring.objects.filter(retain_until__lte=today).delete()
    return purged, deleted
