"""Coordinators' views in the Wagtail admin: attendees, access summary, CSV, promotion, attendance,
and "create follow-up". Access information is personal data: every view here needs the
`events.view_registration` permission (Coordinators have it; Editors and Contributors do not)."""

from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.exports import csv_response

from . import services
from .forms import FollowUpForm
from .models import AccessProvision, EventPage, Registration


def can_view_attendees(user):
    return user.is_active and user.has_perm("events.view_registration")


def can_change_attendees(user):
    return user.is_active and user.has_perm("events.change_registration")


def _require(user, check):
    if not check(user):
        raise PermissionDenied


def access_summary(registrations):
    """Aggregated needs, e.g. [("BSL interpreters", 2), ("Dietary needs", 3)], confirmed and waiting only."""
    counter = Counter()
    for registration in registrations:
        if registration.status == Registration.Status.CANCELLED:
            continue
        counter.update(registration.access_need_labels)
        if registration.access_needs_other.strip():
            counter["Other access needs (see list)"] += 1
        if registration.dietary_needs.strip():
            counter["Dietary needs"] += 1
        if registration.brings_carer:
            counter["Carer or PA"] += 1
    order = {label: i for i, label in enumerate(AccessProvision.labels)}
    return sorted(counter.items(), key=lambda item: (order.get(item[0], 100), item[0]))


def event_list(request):
    _require(request.user, can_view_attendees)
    events = (
        EventPage.objects.all()
        .annotate(
            confirmed=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
            waiting=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITING)),
        )
        .order_by("-start")
    )
    show = request.GET.get("show", "upcoming")
    events = (
        events.filter(end__lt=timezone.now()) if show == "past" else events.filter(end__gte=timezone.now())
    )
    return TemplateResponse(
        request,
        "events/admin/event_list.html",
        {"events": events[:200], "show": show, "header_title": "Events"},
    )


def attendees(request, event_id):
    _require(request.user, can_view_attendees)
    event = get_object_or_404(EventPage, pk=event_id)
    registrations = list(Registration.objects.filter(event=event).order_by("status", "created_at", "pk"))
    by_status = {
        status: [r for r in registrations if r.status == status] for status in Registration.Status.values
    }
    counts = event.seat_counts()
    return TemplateResponse(
        request,
        "events/admin/attendees.html",
        {
            "event": event,
            "confirmed": by_status["confirmed"],
            "waiting": by_status["waiting"],
            "cancelled": by_status["cancelled"],
            "counts": counts,
            "places_left": event.places_left(counts["confirmed_seats"]),
            "summary": access_summary(registrations),
            "can_change": can_change_attendees(request.user),
            "can_edit_event": event.permissions_for_user(request.user).can_edit(),
            "can_add_follow_up": event.get_parent().permissions_for_user(request.user).can_add_subpage(),
            "can_cancel_event": not event.is_cancelled and can_cancel_event(request.user, event),
            "header_title": f"Attendees: {event.title}",
        },
    )


def attendees_csv(request, event_id):
    _require(request.user, can_view_attendees)
    event = get_object_or_404(EventPage, pk=event_id)
    header = [
        "Name",
        "Email",
        "Phone",
        "Preferred contact",
        "Status",
        "Attendance",
        "Seats",
        "Carer or PA",
        "Access needs",
        "Other access needs",
        "Dietary needs",
        "Registered at",
    ]
    rows = (
        [
            r.name,
            r.email,
            r.phone,
            r.get_preferred_contact_display(),
            r.get_status_display(),
            r.get_attendance_display(),
            r.seats,
            r.carer_name if r.brings_carer else "",
            r.access_need_labels,
            r.access_needs_other,
            r.dietary_needs,
            timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for r in Registration.objects.filter(event=event).order_by("status", "created_at", "pk")
    )
    return csv_response(f"attendees-{event.slug}.csv", [header, *rows], private=True)


@require_POST
def promote(request, event_id, registration_id):
    _require(request.user, can_change_attendees)
    registration = get_object_or_404(Registration, pk=registration_id, event_id=event_id)
    try:
        services.promote(registration)
    except services.RegistrationRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"{registration.name} now has a confirmed place and has been told by e-mail."
        )
    return HttpResponseRedirect(reverse("events_admin:attendees", args=[event_id]))


@require_POST
def attendance(request, event_id, registration_id):
    _require(request.user, can_change_attendees)
    registration = get_object_or_404(Registration, pk=registration_id, event_id=event_id)
    try:
        services.mark_attendance(registration, request.POST.get("attendance", ""))
    except services.RegistrationRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Attendance recorded for {registration.name}.")
    return HttpResponseRedirect(
        reverse("events_admin:attendees", args=[event_id]) + f"#registration-{registration.pk}"
    )


def follow_up(request, event_id):
    event = get_object_or_404(EventPage, pk=event_id)
    parent = event.get_parent()
    if not parent.permissions_for_user(request.user).can_add_subpage():
        raise PermissionDenied
    form = FollowUpForm(request.POST or None, initial={"title": f"Follow-up: {event.title}"})
    if request.method == "POST" and form.is_valid():
        zone = event.zone
        start = form.cleaned_data["start"].replace(tzinfo=None).replace(tzinfo=zone)
        end = form.cleaned_data["end"]
        end = end.replace(tzinfo=None).replace(tzinfo=zone) if end else None
        new_event = services.create_follow_up(
            event, start=start, end=end, title=form.cleaned_data["title"], user=request.user
        )
        messages.success(request, "A draft follow-up event was created. Check it, then publish it.")
        return HttpResponseRedirect(reverse("wagtailadmin_pages:edit", args=[new_event.pk]))
    return TemplateResponse(
        request,
        "events/admin/follow_up.html",
        {"event": event, "form": form, "header_title": f"Create a follow-up to {event.title}"},
    )


def can_cancel_event(user, event):
    """Cancelling tells everyone registered and cannot be undone: it takes its own permission, which
    Editors and Moderators have (not the right to publish, which Editors lack)."""
    return user.is_active and user.has_perm("events.cancel_event")


def cancel_event(request, event_id):
    """Cancels an event after a confirmation step; everyone registered gets METHOD:CANCEL."""
    event = get_object_or_404(EventPage, pk=event_id)
    if not can_cancel_event(request.user, event):
        raise PermissionDenied
    if request.method == "POST":
        services.cancel_event(event)
        messages.success(request, f"{event.title} is cancelled. Everyone registered has been told by e-mail.")
        return HttpResponseRedirect(reverse("wagtailadmin_explore", args=[event.get_parent().pk]))
    counts = event.seat_counts()
    return TemplateResponse(
        request,
        "events/admin/cancel_event.html",
        {"event": event, "counts": counts, "header_title": f"Cancel {event.title}"},
    )
