"""Public views: the registration form posted to an event page, the manage page (signed link), course
materials for attendees, the feedback form after an event, calendar files and the feed."""

import hashlib
from datetime import timedelta

from django.contrib import messages
from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, Q, Sum
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import condition, require_http_methods

from . import services
from .access import materials_access
from .forms import ChangeNeedsForm, EventFeedbackForm, RegistrationForm
from .ical import build_calendar, event_calendar_bytes
from .models import EventMaterialFile, EventPage, Registration
from .models.registration import UNDO_CANCELLATION_WITHIN
from .signing import make_manage_token, read_manage_token

FEED_CANCELLED_KEPT_FOR = timedelta(days=30)


def _root_url(request):
    return request.build_absolute_uri("/").rstrip("/")


def register(request, event, *args, **kwargs):
    """The registration form posted to an event page's own address (see `wagtail_hooks`); a GET of the
    page is Wagtail's, with the empty form from `EventPage.get_context`."""
    form = RegistrationForm(request.POST, event=event, user=request.user)
    if form.is_valid():
        try:
            result = services.register(
                event,
                data=form.cleaned_data,
                user=request.user if request.user.is_authenticated else None,
                request=request,
            )
        except services.AlreadyRegistered:
            return HttpResponseRedirect(event.url + "?already=1#register")
        except services.RegistrationRefused as exc:
            form.add_error(None, str(exc))
        else:
            url = reverse("events:manage", args=[make_manage_token(result.registration)])
            return HttpResponseRedirect(f"{url}?new={result.registration.status}")
    context = event.get_context(request, *args, **kwargs)
    context["form"] = form
    return TemplateResponse(request, event.get_template(request, *args, **kwargs), context, status=400)


def _registration_by_link(token):
    registration = read_manage_token(token)
    if registration is None:
        raise Http404("This link is not valid. Please use the link in your latest e-mail.")
    return registration


def _manage_page(request, token, registration, *, form=None, status=200, seat_taken=None):
    event = registration.event
    registration.refresh_from_db()
    registration.event = event
    response = render(
        request,
        "events/manage.html",
        {
            "registration": registration,
            "event": event,
            "page": event,
            "token": token,
            "form": form or ChangeNeedsForm.for_registration(registration),
            "is_new": request.GET.get("new"),
            "show_joining_details": registration.status == Registration.Status.CONFIRMED
            and not event.is_cancelled,
            "waiting_position": registration.waiting_position(),
            "can_undo": registration.can_undo_cancellation(),
            "seat_taken": seat_taken,
        },
        status=status,
    )
    # The link is a secret: keep it out of shared caches. (SECURE_REFERRER_POLICY "same-origin" already
    # keeps it out of other sites' referrer logs; "no-referrer" would make browsers send Origin: null,
    # which fails the CSRF check on this page's own forms.)
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def manage(request, token):
    registration = _registration_by_link(token)
    form = ChangeNeedsForm.for_registration(registration)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel":
            # Cancelling is asked about first (a page that works without JavaScript): an old copy of
            # this page's form only leads there.
            return HttpResponseRedirect(reverse("events:manage_cancel", args=[token]))
        if action == "change":
            form = ChangeNeedsForm.for_registration(registration, data=request.POST)
            if form.is_valid():
                try:
                    services.change_needs(registration, data=form.cleaned_data)
                except services.RegistrationRefused as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, "Your details have been saved.")
                    return HttpResponseRedirect(request.path)
            status = 400
    return _manage_page(request, token, registration, form=form, status=status)


@require_http_methods(["GET", "POST"])
def manage_cancel(request, token):
    """ "Are you sure?" (GET), then the cancellation (POST); the manage page then offers the undo."""
    registration = _registration_by_link(token)
    manage_url = reverse("events:manage", args=[token])
    if registration.status == Registration.Status.CANCELLED:
        return HttpResponseRedirect(manage_url)
    if request.method == "POST":
        services.cancel_registration(registration)
        messages.success(request, "Your place has been cancelled. We have sent you an e-mail to confirm.")
        return HttpResponseRedirect(manage_url)
    event = registration.event
    return _private(
        render(
            request,
            "events/manage_cancel.html",
            {
                "registration": registration,
                "event": event,
                "page": event,
                "token": token,
                "manage_url": manage_url,
                "undo_hours": int(UNDO_CANCELLATION_WITHIN.total_seconds() // 3600),
            },
        )
    )


@require_http_methods(["GET", "POST"])
def manage_undo(request, token):
    """Undoes a cancellation (POST from the manage page); when the seat has gone, the manage page offers
    the waiting list instead (409), and a second POST with `waiting_list=1` joins it."""
    registration = _registration_by_link(token)
    manage_url = reverse("events:manage", args=[token])
    if request.method == "GET":
        return HttpResponseRedirect(manage_url)
    try:
        registration = services.undo_cancellation(
            registration, join_waiting_list=request.POST.get("waiting_list") == "1"
        )
    except services.SeatTaken as exc:
        return _manage_page(request, token, registration, status=409, seat_taken=exc)
    except services.RegistrationRefused as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(manage_url)
    if registration.status == Registration.Status.CONFIRMED:
        messages.success(request, "Your place is back. We have sent you an e-mail to confirm.")
    elif registration.status == Registration.Status.WAITING:
        messages.success(
            request,
            f"You are on the waiting list again: number {registration.waiting_position()}. "
            "We will e-mail you if a place comes free.",
        )
    return HttpResponseRedirect(manage_url)


def event_ics(request, pk):
    event = get_object_or_404(EventPage.objects.live().public().select_related("follows_up_on"), pk=pk)
    event.prefetched_follow_ups = list(event.follow_ups.live().public())
    body = event_calendar_bytes(event, method="PUBLISH", base_url=_root_url(request))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


def feed_queryset(now=None):
    now = now or timezone.now()
    return (
        EventPage.objects.live()
        .public()
        .filter(end__gte=now)
        .filter(Q(status=EventPage.Status.SCHEDULED) | Q(cancelled_at__gte=now - FEED_CANCELLED_KEPT_FOR))
    )


def _feed_state(request):
    """One aggregate query that changes whenever the feed's contents can change."""
    if not hasattr(request, "_events_feed_state"):
        state = feed_queryset().aggregate(
            count=Count("pk"),
            ids=Sum("pk"),
            published=Max("last_published_at"),
            cancelled=Max("cancelled_at"),
            sequence=Sum("ical_sequence"),
        )
        raw = "|".join(str(state[key]) for key in ("count", "ids", "published", "cancelled", "sequence"))
        state["etag"] = hashlib.sha256(raw.encode()).hexdigest()[:32]
        state["last_modified"] = max(filter(None, [state["published"], state["cancelled"]]), default=None)
        request._events_feed_state = state
    return request._events_feed_state


@condition(
    etag_func=lambda request: _feed_state(request)["etag"],
    last_modified_func=lambda request: _feed_state(request)["last_modified"],
)
def feed(request):
    state = _feed_state(request)
    key = f"events-feed:{state['etag']}:{_root_url(request)}"
    body = cache.get(key)
    if body is None:
        events = (
            feed_queryset()
            .select_related("follows_up_on")
            .prefetch_related(
                Prefetch(
                    "follow_ups", queryset=EventPage.objects.live().public(), to_attr="prefetched_follow_ups"
                )
            )
        )
        calendar = build_calendar(
            events.order_by("start"),
            method="PUBLISH",
            name="Co-production Portal events",
            base_url=_root_url(request),
        )
        body = calendar.to_ical()
        cache.set(key, body, 60 * 60)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "public, max-age=900"
    if state["last_modified"]:
        response["Last-Modified"] = http_date(state["last_modified"].timestamp())
    response["ETag"] = quote_etag(state["etag"])
    return response


def _private(response):
    # Per-person pages and files: never kept by a shared cache or the browser's history.
    response["Cache-Control"] = "private, no-store"
    return response


def _live_event(event):
    if not event.live or event.get_view_restrictions().exists():
        raise Http404
    return event


def _render_materials(request, event, access, *, token=None, status=200):
    files = list(event.material_files.all()) if access == "full" else []
    return _private(
        render(
            request,
            "events/materials.html",
            {"event": event, "access": access, "files": files, "token": token},
            status=status,
        )
    )


@require_http_methods(["GET"])
def materials_by_link(request, token):
    """Course materials through a registration's signed manage link: its own event only, a confirmed place."""
    registration = read_manage_token(token)
    if registration is None:
        raise Http404("This link is not valid. Please use the link in your latest e-mail.")
    event = _live_event(registration.event)
    access = materials_access(event, registration=registration, user=request.user)
    if access is None:
        raise Http404
    return _render_materials(request, event, access, token=token)


@require_http_methods(["GET"])
def materials(request, pk):
    """Course materials for the signed-in account that holds a confirmed place, and for coordinators."""
    event = _live_event(get_object_or_404(EventPage.objects.live(), pk=pk))
    access = materials_access(event, user=request.user)
    if access is None:
        return _render_materials(request, event, None, status=403)
    return _render_materials(request, event, access)


def _serve_material(event, access, file_id):
    if access != "full":
        raise Http404
    material = EventMaterialFile.objects.filter(event=event, pk=file_id).first()
    if material is None or not material.file:
        raise Http404
    try:
        handle = material.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=material.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)


@require_http_methods(["GET"])
def material_file_by_link(request, token, file_id):
    registration = read_manage_token(token)
    if registration is None:
        raise Http404
    event = _live_event(registration.event)
    return _serve_material(
        event, materials_access(event, registration=registration, user=request.user), file_id
    )


@require_http_methods(["GET"])
def material_file(request, pk, file_id):
    event = _live_event(get_object_or_404(EventPage.objects.live(), pk=pk))
    return _serve_material(event, materials_access(event, user=request.user), file_id)


@require_http_methods(["GET", "POST"])
def feedback(request, token):
    """The feedback form an attendee's e-mail links to; answers once, anonymously unless they choose."""
    invitation = services.invitation_for(token)
    if invitation is None:
        raise Http404("This feedback link is not valid. Please use the link in your e-mail.")
    event = invitation.registration.event
    form = EventFeedbackForm()
    status = 200
    if request.method == "POST" and not invitation.answered:
        form = EventFeedbackForm(request.POST)
        if form.is_valid():
            try:
                services.submit_event_feedback(invitation, data=form.cleaned_data)
            except services.FeedbackRefused as exc:
                form.add_error(None, str(exc))
            else:
                return HttpResponseRedirect(request.path)
        status = 400
    return _private(
        render(
            request,
            "events/feedback.html",
            {"event": event, "form": form, "answered": invitation.answered and status == 200},
            status=status,
        )
    )
