"""Coordinators' and editors' actions on events in the Wagtail admin, as view classes that
`events.viewsets.RegistrationViewSet` registers: the events overview, an event's attendees with the
access summary, promotion from the waiting list, attendance, "create follow-up" and "cancel event";
for people who are not online, booking on their behalf, their letters (PDF), the call list, cancelling a
place for them; the sign-in sheet (PDF) and the screen that ticks attendance from it.

Who may do what, checked in one way each:
- Attendees and access information are personal data: seeing them needs the `view` permission on
  registrations, changing them (promote, attendance) the `change` permission, both through the
  Registration permission policy (Coordinators have both; Editors and Contributors neither).
- A follow-up is a new page under the events index, so it needs permission to add a page there; cancelling
  an event needs the `events.cancel_event` permission (`can_cancel_event`; Editors and Moderators).
- A course-material file (private) is downloaded here by coordinators and whoever may edit its event.
"""

from collections import Counter

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from portal.exports import csv_response
from portal.pdf import pdf_response

from . import letters, services
from .access import is_coordinator
from .choices import NoticeKind
from .feedback_summary import EXPORT_HEADER, feedback_summary
from .feedback_summary import export_rows as export_feedback_rows
from .forms import AttendanceSheetForm, FollowUpForm, OnBehalfRegistrationForm
from .models import AccessProvision, ContactTask, EventMaterialFile, EventPage, Registration

FEEDBACK_SUMMARY = "events.view_feedback_summary"


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


def can_cancel_event(user, event):
    """Cancelling tells everyone registered and cannot be undone: it takes its own permission, which
    Editors and Moderators have (not the right to publish, which Editors lack)."""
    return user.is_active and user.has_perm("events.cancel_event")


class RegistrationPermissionMixin(PermissionCheckedMixin):
    """Checks the Registration permission policy (`permission_required`) before anything else runs."""

    model = Registration
    permission_required = "view"


class EventListView(RegistrationPermissionMixin, TemplateView):
    template_name = "events/admin/event_list.html"

    def get_context_data(self, **kwargs):
        events = (
            EventPage.objects.all()
            .annotate(
                confirmed=Count(
                    "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
                ),
                waiting=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITING)),
            )
            .order_by("-start")
        )
        show = self.request.GET.get("show", "upcoming")
        events = (
            events.filter(end__lt=timezone.now())
            if show == "past"
            else events.filter(end__gte=timezone.now())
        )
        return {
            **super().get_context_data(**kwargs),
            "events": events[:200],
            "show": show,
            "header_title": "Events",
        }


class AttendeesView(RegistrationPermissionMixin, TemplateView):
    template_name = "events/admin/attendees.html"

    def get_context_data(self, event_id, **kwargs):
        event = get_object_or_404(EventPage, pk=event_id)
        user = self.request.user
        registrations = list(
            Registration.objects.filter(event=event)
            .select_related("entered_by")
            .order_by("status", "created_at", "pk")
        )
        by_status = {
            status: [r for r in registrations if r.status == status] for status in Registration.Status.values
        }
        counts = event.seat_counts()
        return {
            **super().get_context_data(**kwargs),
            "event": event,
            "confirmed": by_status["confirmed"],
            "waiting": by_status["waiting"],
            "cancelled": by_status["cancelled"],
            "counts": counts,
            "places_left": event.places_left(counts["confirmed_seats"]),
            "summary": access_summary(registrations),
            "can_change": self.user_has_permission("change"),
            "can_edit_event": event.permissions_for_user(user).can_edit(),
            "can_add_follow_up": event.get_parent().permissions_for_user(user).can_add_subpage(),
            "can_cancel_event": not event.is_cancelled and can_cancel_event(user, event),
            "header_title": f"Attendees: {event.title}",
        }


class AttendeesExportView(RegistrationPermissionMixin, View):
    """The old per-event CSV address: the registrations listing's export, filtered to the event."""

    def get(self, request, event_id):
        event = get_object_or_404(EventPage, pk=event_id)
        return HttpResponseRedirect(f"{reverse('events_admin:index')}?event={event.pk}&export=csv")


class RegistrationActionView(RegistrationPermissionMixin, View):
    """A POST that changes one registration through a service, then returns to the attendees page."""

    permission_required = "change"
    http_method_names = ["post"]

    def post(self, request, event_id, registration_id):
        registration = get_object_or_404(Registration, pk=registration_id, event_id=event_id)
        try:
            message = self.act(registration)
        except services.RegistrationRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, message)
        return HttpResponseRedirect(self.get_success_url(event_id, registration))

    def get_success_url(self, event_id, registration):
        return reverse("events_admin:attendees", args=[event_id])


class PromoteView(RegistrationActionView):
    def act(self, registration):
        services.promote(registration, actor=self.request.user)
        return f"{registration.name} now has a confirmed place and has been told by e-mail."


class AttendanceView(RegistrationActionView):
    def act(self, registration):
        services.mark_attendance(
            registration, self.request.POST.get("attendance", ""), actor=self.request.user
        )
        return f"Attendance recorded for {registration.name}."

    def get_success_url(self, event_id, registration):
        return super().get_success_url(event_id, registration) + f"#registration-{registration.pk}"


class FollowUpView(TemplateView):
    template_name = "events/admin/follow_up.html"

    def dispatch(self, request, event_id):
        self.event = get_object_or_404(EventPage, pk=event_id)
        if not self.event.get_parent().permissions_for_user(request.user).can_add_subpage():
            raise PermissionDenied
        return super().dispatch(request, event_id)

    def get(self, request, event_id):
        return self.render(FollowUpForm(initial={"title": f"Follow-up: {self.event.title}"}))

    def post(self, request, event_id):
        form = FollowUpForm(request.POST, initial={"title": f"Follow-up: {self.event.title}"})
        if not form.is_valid():
            return self.render(form)
        zone = self.event.zone
        start = form.cleaned_data["start"].replace(tzinfo=None).replace(tzinfo=zone)
        end = form.cleaned_data["end"]
        end = end.replace(tzinfo=None).replace(tzinfo=zone) if end else None
        new_event = services.create_follow_up(
            self.event, start=start, end=end, title=form.cleaned_data["title"], user=request.user
        )
        messages.success(request, "A draft follow-up event was created. Check it, then publish it.")
        return HttpResponseRedirect(reverse("wagtailadmin_pages:edit", args=[new_event.pk]))

    def render(self, form):
        return self.render_to_response(
            {"event": self.event, "form": form, "header_title": f"Create a follow-up to {self.event.title}"}
        )


class CancelEventView(TemplateView):
    """Cancels an event after a confirmation step; everyone registered gets METHOD:CANCEL."""

    template_name = "events/admin/cancel_event.html"

    def dispatch(self, request, event_id):
        self.event = get_object_or_404(EventPage, pk=event_id)
        if not can_cancel_event(request.user, self.event):
            raise PermissionDenied
        return super().dispatch(request, event_id)

    def get_context_data(self, **kwargs):
        event = self.event
        return {"event": event, "counts": event.seat_counts(), "header_title": f"Cancel {event.title}"}

    def post(self, request, event_id):
        event = self.event
        services.cancel_event(event, actor=request.user)
        messages.success(
            request,
            f"{event.title} is cancelled. Everyone registered is told by e-mail, or through the call list "
            "if they have no e-mail address.",
        )
        return HttpResponseRedirect(reverse("wagtailadmin_explore", args=[event.get_parent().pk]))


class FeedbackSummaryView(TemplateView):
    """One event's feedback for organisers: counts, a chart of ratings, the written answers, export.
    Behind the admin's own sign-in check (register_admin_urls); needs `events.view_feedback_summary`."""

    template_name = "events/admin/feedback_summary.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(FEEDBACK_SUMMARY):
            raise PermissionDenied
        self.event = get_object_or_404(EventPage, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "csv":
            return csv_response(
                f"feedback-{self.event.slug}.csv",
                [EXPORT_HEADER, *export_feedback_rows(self.event)],
                private=True,
                bom=True,
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["event"] = self.event
        context["summary"] = feedback_summary(self.event, self.request.GET.get("page", 1))
        return context


# People who are not online: bookings on their behalf, their letters and the call list; the sign-in
# sheet and attendance ticked from it. Seeing any of it (names, phone numbers, addresses) needs the
# `view` permission on registrations, changing anything the `change` permission, like the attendees page.


class BookOnBehalfView(RegistrationPermissionMixin, TemplateView):
    """A coordinator books a place for someone who phoned, wrote or came in (services.register with
    `entered_by`): the same seats, waiting list, needs and carer seat as anyone's."""

    permission_required = "change"
    template_name = "events/admin/book_on_behalf.html"

    def dispatch(self, request, *args, **kwargs):
        self.event = get_object_or_404(EventPage, pk=kwargs["event_id"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, event_id):
        return self.render(OnBehalfRegistrationForm())

    def post(self, request, event_id):
        form = OnBehalfRegistrationForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        data = form.cleaned_data
        # Their own account, when the address they gave is one: attendance at paid events then makes
        # their claim, as it does for people who book themselves.
        account = (
            get_user_model().objects.filter(email__iexact=data["email"], is_active=True).first()
            if data["email"]
            else None
        )
        try:
            result = services.register(
                self.event,
                data=data,
                user=account,
                entered_by=request.user,
                booked_via=data["booked_via"],
            )
        except services.RegistrationRefused as exc:
            form.add_error(None, str(exc))
            return self.render(form, status=400)
        registration = result.registration
        if data.get("told_now"):
            for task in registration.contact_tasks.pending().exclude(method=ContactTask.Method.POST):
                services.complete_contact_task(task, actor=request.user, outcome="Told when they booked")
        where = (
            "has a confirmed place"
            if registration.status == Registration.Status.CONFIRMED
            else f"is on the waiting list (number {registration.waiting_position()})"
        )
        how = (
            "Their confirmation goes by e-mail."
            if registration.email
            else "Their confirmation is on the call list"
            + (" as a letter to print and post." if registration.contact_tasks.pending().exists() else ".")
        )
        messages.success(
            request,
            f"{registration.name} {where}. {how}",
            buttons=[
                messages.button(
                    reverse("events_admin:letter", args=[registration.pk]), "Print their letter", True
                )
            ],
        )
        return HttpResponseRedirect(
            reverse("events_admin:attendees", args=[self.event.pk]) + f"#registration-{registration.pk}"
        )

    def render(self, form, status=200):
        return self.render_to_response(
            {
                "event": self.event,
                "form": form,
                "header_title": f"Book a place for someone: {self.event.title}",
                "places_left": self.event.places_left(),
            },
            status=status,
        )


class LetterView(RegistrationPermissionMixin, View):
    """A registrant's letter as PDF: where their place stands, or what `?kind=` names (the call list's
    letters); `?large_print=1` or `0` overrides their own choice of large print."""

    def get(self, request, pk):
        registration = get_object_or_404(Registration.objects.select_related("event"), pk=pk)
        kind = request.GET.get("kind") or None
        if kind is not None and kind not in NoticeKind.values:
            kind = None
        large = request.GET.get("large_print")
        large_print = None if large not in ("0", "1") else large == "1"
        pdf = letters.render_letter(registration, kind, large_print=large_print)
        return pdf_response(f"letter-{registration.event.slug}-{registration.pk}.pdf", pdf)


class CallListView(RegistrationPermissionMixin, TemplateView):
    """Who to call (or write to), about what, for people booked without e-mail; each marked done here.
    Shows only what the caller needs: name, number or address, and what to tell them."""

    template_name = "events/admin/call_list.html"

    def get_context_data(self, **kwargs):
        show_done = self.request.GET.get("show") == "done"
        tasks = ContactTask.objects.select_related("registration__event", "done_by")
        tasks = (
            tasks.filter(done_at__isnull=False).order_by("-done_at")[:200]
            if show_done
            else tasks.pending().order_by("registration__event__start", "created_at", "pk")[:500]
        )
        rows = [(task, letters.what_to_say(task.registration, task.kind)) for task in tasks]
        return {
            **super().get_context_data(**kwargs),
            "rows": rows,
            "show_done": show_done,
            "can_change": self.user_has_permission("change"),
            "header_title": "Call list",
        }


class CompleteContactTaskView(RegistrationPermissionMixin, View):
    permission_required = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        task = get_object_or_404(ContactTask.objects.select_related("registration"), pk=pk)
        try:
            services.complete_contact_task(task, actor=request.user, outcome=request.POST.get("outcome", ""))
        except services.RegistrationRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"Done: {task.get_method_display().lower()} for {task.registration.name}."
            )
        return HttpResponseRedirect(reverse("events_admin:call_list"))


class SignInSheetView(RegistrationPermissionMixin, View):
    """The printable register of an event (PDF): names, seats and a signature column; no needs."""

    def get(self, request, event_id):
        event = get_object_or_404(EventPage, pk=event_id)
        pdf = letters.render_sign_in_sheet(event, large_print=request.GET.get("large_print") == "1")
        return pdf_response(f"sign-in-{event.slug}.pdf", pdf)


class SignInAttendanceView(RegistrationPermissionMixin, TemplateView):
    """Attendance ticked from the signed sheet, in the sheet's order, in one go. Each change goes through
    `services.mark_attendance`, as the attendees page's buttons do, so a paid event makes the same claims."""

    permission_required = "change"
    template_name = "events/admin/sign_in.html"

    def dispatch(self, request, *args, **kwargs):
        self.event = get_object_or_404(EventPage, pk=kwargs["event_id"])
        return super().dispatch(request, *args, **kwargs)

    def form(self, data=None):
        return AttendanceSheetForm(data, registrations=letters.sign_in_rows(self.event))

    def get(self, request, event_id):
        return self.render(self.form())

    def post(self, request, event_id):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        saved, refused = 0, []
        for registration, attendance in form.changes():
            try:
                services.mark_attendance(registration, attendance, actor=request.user)
            except services.RegistrationRefused as exc:
                refused.append(f"{registration.name}: {exc}")
            else:
                saved += 1
        for problem in refused:
            messages.error(request, problem)
        messages.success(
            request,
            f"Attendance saved for {saved} {'person' if saved == 1 else 'people'}."
            + (" Claims for paid involvement are made for contributors who attended." if saved else ""),
        )
        return HttpResponseRedirect(reverse("events_admin:sign_in", args=[self.event.pk]))

    def render(self, form, status=200):
        return self.render_to_response(
            {"event": self.event, "form": form, "header_title": f"Sign-in sheet: {self.event.title}"},
            status=status,
        )


class CancelPlaceView(RegistrationActionView):
    """A coordinator cancels a place for someone who called or wrote, after a confirmation step (it
    tells the person and gives the seat to the waiting list, so a stray click must not do it)."""

    http_method_names = ["get", "post"]

    def get(self, request, event_id, registration_id):
        registration = get_object_or_404(
            Registration.objects.select_related("event"), pk=registration_id, event_id=event_id
        )
        return TemplateResponse(
            request,
            "events/admin/cancel_place.html",
            {"registration": registration, "event": registration.event, "header_title": "Cancel a place"},
        )

    def act(self, registration):
        if registration.status == Registration.Status.CANCELLED:
            return f"{registration.name}'s place was already cancelled."
        services.cancel_registration(registration, actor=self.request.user)
        how = "by e-mail" if registration.email else "through the call list"
        return f"{registration.name}'s place is cancelled. They will be told {how}."


class MaterialDownloadView(View):
    """A course-material file for staff, linked from the event's edit form (the file is private, so the
    form's file field links here): for coordinators (`events.access`) and for whoever may edit the event.
    Everyone else gets 403, an unknown file 404."""

    def get(self, request, file_id):
        material = get_object_or_404(EventMaterialFile.objects.select_related("event"), pk=file_id)
        event = material.event.specific
        if not (is_coordinator(request.user) or event.permissions_for_user(request.user).can_edit()):
            raise PermissionDenied
        try:
            handle = material.file.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise Http404("This file is no longer stored.") from exc
        response = FileResponse(handle, as_attachment=True, filename=material.filename)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
