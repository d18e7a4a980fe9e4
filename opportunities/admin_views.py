"""Coordinators' screens for applications, registered by `opportunities.viewsets.ApplicationViewSet`:
one application with its answers, needs, trail and the decisions open to it, and the equality monitoring
counts of an opportunity.

Applications hold personal data (access needs, support needed): seeing them needs the `view`
permission on applications and deciding the `change` permission, through the Application permission
policy (Coordinators have both; Editors and Contributors neither)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from portal import audit
from portal.http import parse_id

from . import services
from .choices import MONITORING_QUESTIONS, MONITORING_SMALLEST_SHOWN
from .models import Application, EqualityMonitoring, OpportunityPage

Status = Application.Status
MONITORING = "opportunities.view_monitoring_summary"
# The buttons each state offers a coordinator: (action, label).
NEXT_STEPS = {
    Status.RECEIVED: [
        ("shortlisted", "Shortlist"),
        ("offered", "Offer a place"),
        ("not_selected", "Not this time"),
    ],
    Status.SHORTLISTED: [("offered", "Offer a place"), ("not_selected", "Not this time")],
    Status.OFFERED: [
        ("accepted", "Record that they accepted"),
        ("declined", "Record that they declined"),
        ("not_selected", "Withdraw the offer (not this time)"),
    ],
}


class ApplicationPermissionMixin(PermissionCheckedMixin):
    model = Application
    permission_required = "view"


class ApplicationView(ApplicationPermissionMixin, TemplateView):
    """GET: the application; POST: a decision (change permission), through `opportunities.services`."""

    template_name = "opportunities/admin/application.html"

    def get_permission_required(self):
        return "change" if self.request.method == "POST" else "view"

    def get_context_data(self, pk, **kwargs):
        application = get_object_or_404(
            Application.objects.select_related("opportunity", "user", "involvement", "decided_by"), pk=pk
        )
        can_decide = self.user_has_permission("change")
        return {
            **super().get_context_data(**kwargs),
            "application": application,
            "trail": audit.trail(application),
            "next_steps": NEXT_STEPS.get(application.status, []) if can_decide else [],
            "header_title": f"Application: {application.name}",
            "page_title": f"Application: {application.name}",
        }

    def post(self, request, pk):
        application = get_object_or_404(Application, pk=pk)
        action = request.POST.get("action", "")
        note = request.POST.get("note", "")[:1000]
        try:
            if action == "accepted":
                result = services.accept_offer(application, actor=request.user)
                if result.already_accepted:
                    messages.info(request, "This offer was already accepted; nothing changed.")
                else:
                    messages.success(
                        request,
                        f"{application.name} is now a contributor in this role, and has been told by e-mail.",
                    )
            elif action in {value for steps in NEXT_STEPS.values() for value, _label in steps}:
                services.decide(application, to_status=action, actor=request.user, note=note)
                messages.success(
                    request, f"Saved: {Status(action).label}. {application.name} has been told by e-mail."
                )
            else:
                messages.error(request, "Choose one of the decisions shown.")
        except services.ApplicationRefused as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("opportunities_admin:application", args=[pk]))


def monitoring_summary(opportunity=None):
    """Counts of each answer to each monitoring question (one query per question), small counts hidden."""
    rows = EqualityMonitoring.objects.all()
    if opportunity is not None:
        rows = rows.filter(opportunity=opportunity)
    summary = []
    for name, (label, choices) in MONITORING_QUESTIONS.items():
        counts = dict(rows.exclude(**{name: ""}).order_by().values_list(name).annotate(n=Count("pk")))
        answers = []
        for value, choice_label in choices.choices:
            n = counts.get(value, 0)
            shown = (
                str(n)
                if n == 0 or n >= MONITORING_SMALLEST_SHOWN
                else f"fewer than {MONITORING_SMALLEST_SHOWN}"
            )
            answers.append((choice_label, shown))
        summary.append({"question": label, "answers": answers})
    return summary, rows.count()


class MonitoringView(ApplicationPermissionMixin, TemplateView):
    """Counts only, for those who may see applications and also hold `view_monitoring_summary`."""

    template_name = "opportunities/admin/monitoring.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(MONITORING):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        opportunity_id = parse_id(self.request.GET.get("opportunity", ""))
        opportunity = OpportunityPage.objects.filter(pk=opportunity_id).first() if opportunity_id else None
        summary, total = monitoring_summary(opportunity)
        return {
            **super().get_context_data(**kwargs),
            "opportunity": opportunity,
            "opportunities": OpportunityPage.objects.order_by("-closing_date").only("pk", "title")[:500],
            "summary": summary,
            "total": total,
            "smallest": MONITORING_SMALLEST_SHOWN,
            "header_title": "Equality monitoring (counts only)",
            "page_title": "Equality monitoring",
        }
