"""E-mails to registrants.

E-mails are HTML with a plain-text part. When the person has (or had) a seat, a calendar file goes with
them: METHOD:REQUEST for a place, a change or a reminder (same UID, current SEQUENCE), METHOD:CANCEL when
their place or the event is cancelled. The MIME part's `method=` always matches the calendar's METHOD.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.mail import build_message

from .ical import event_calendar_bytes
from .models import FeedbackInvitation, Registration
from .signing import make_manage_token

SUBJECTS = {
    "confirmed": "Your place is confirmed: {title}",
    "waiting": "You are on the waiting list: {title}",
    "promoted": "Good news, a place is free for you: {title}",
    "cancelled": "Your place is cancelled: {title}",
    "event_changed": "Changed: {title}",
    "event_cancelled": "Cancelled: {title}",
    "reminder": "Reminder: {title}",
    "manage_link": "Your link to manage your place: {title}",
    "restored": "Your place is back: {title}",
}
# The e-mails that confirm what the person asked for (their needs, carer) and say what happens next.
REPEATS_WHAT_WAS_ASKED = {"confirmed", "waiting", "promoted", "restored", "manage_link"}


def calendar_method(kind, registration):
    if kind in ("cancelled", "event_cancelled"):
        return "CANCEL" if registration.confirmed_at else None
    if (
        kind in ("confirmed", "promoted", "restored", "event_changed", "reminder")
        and registration.status == "confirmed"
    ):
        return "REQUEST"
    return None


def site_root_url(event):
    site = event.get_site()
    return site.root_url if site else settings.WAGTAILADMIN_BASE_URL


def build_registration_email(registration, kind):
    event = registration.event
    root = site_root_url(event)
    manage_url = root + reverse("events:manage", args=[make_manage_token(registration)])
    method = calendar_method(kind, registration)
    context = {
        "kind": kind,
        "registration": registration,
        "event": event,
        "event_url": event.get_full_url() or root,
        "manage_url": manage_url,
        "show_joining_details": registration.status == "confirmed"
        and kind not in ("cancelled", "event_cancelled"),
        "has_calendar": bool(method),
        "repeat_what_was_asked": kind in REPEATS_WHAT_WAS_ASKED and not registration.access_info_purged_at,
        "waiting_position": registration.waiting_position(),
        "undo_until": (
            registration.local_undo_until()
            if kind == "cancelled" and registration.can_undo_cancellation()
            else None
        ),
        "reminder_hours": settings.EVENTS_REMINDER_HOURS_BEFORE,
        "materials_url": (
            root + reverse("events:materials_by_link", args=[make_manage_token(registration)])
            if registration.status == "confirmed" and event.has_materials
            else ""
        ),
        "adjustments_by": (
            event.access_requests_by.astimezone(event.zone)
            if event.access_requests_by and event.access_requests_by > timezone.now()
            else None
        ),
    }
    attachments = []
    if method:
        ics = event_calendar_bytes(
            event,
            method=method,
            base_url=root,
            registration=registration,
            include_private=context["show_joining_details"],
        )
        attachments.append(
            {
                "filename": "event.ics",
                "content": ics.decode("utf-8"),
                "mimetype": f"text/calendar; method={method}",
            }
        )
    message = build_message(
        # Titles are one line in the admin, but a header must never carry a newline.
        subject=SUBJECTS[kind].format(title=" ".join(event.title.split())),
        to=[registration.email],
        text=render_to_string("events/email/registration.txt", context),
        html=render_to_string("events/email/registration.html", context),
        attachments=attachments,
        reply_to=[event.contact_email] if event.contact_email else None,
    )
    return message


def deliver_registration_email(registration_id, kind):
    registration = (
        Registration.objects.select_related("event", "event__follows_up_on")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or not registration.email:
        return False  # people without e-mail are told by a call or letter (`services.common._notify`)
    build_registration_email(registration, kind).send()
    return True


def deliver_feedback_email(invitation_id):
    """The invitation to give feedback after an event, with the person's own link."""
    invitation = (
        FeedbackInvitation.objects.select_related("registration__event").filter(pk=invitation_id).first()
    )
    if invitation is None or not invitation.registration.email:
        return False
    registration = invitation.registration
    event = registration.event
    root = site_root_url(event)
    context = {
        "registration": registration,
        "event": event,
        "feedback_url": root + reverse("events:feedback", args=[invitation.token]),
        "manage_url": root + reverse("events:manage", args=[make_manage_token(registration)]),
        "has_materials": event.has_materials,
    }
    build_message(
        subject=f"How was it? {' '.join(event.title.split())}",
        to=[registration.email],
        text=render_to_string("events/email/feedback_request.txt", context),
        html=render_to_string("events/email/feedback_request.html", context),
        reply_to=[event.contact_email] if event.contact_email else None,
    ).send()
    return True
