"""Coordinators' claim actions in the Wagtail admin, as view classes that `payments.viewsets` registers:
a decision on one claim (approve, reject, declined on the contributor's behalf), the queue of claims
waiting for a decision (with bulk approve / reject), and the reports with their downloads.

Who may do what is one check, by permission, through the claim's permission policy: deciding needs
`payments.change_involvementclaim` (Coordinators have it); the services also refuse anyone deciding a
claim of their own. Paying a claim is the payouts app's (it adds its panel to the claim's page).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.generic import View
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from portal.http import parse_id

from . import limits, reports, services
from .exports import report_response
from .filters import QueueFilterSet
from .models import InvolvementClaim

Status = InvolvementClaim.Status


class ClaimPermissionMixin(PermissionCheckedMixin):
    model = InvolvementClaim
    permission_required = "change"


class DecideView(ClaimPermissionMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        claim = get_object_or_404(InvolvementClaim, pk=pk)
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.approve(claim, actor=request.user)
                messages.success(request, f"Approved: {claim} for £{claim.total_amount}.")
            elif action == "reject":
                services.reject(claim, actor=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, f"Rejected: {claim}.")
            elif action == "declined":
                services.mark_declined(claim, actor=request.user)
                messages.success(request, f"Marked as declined: {claim}.")
            else:
                messages.error(request, "Choose what to do with the claim.")
        except services.ClaimError as exc:
            messages.error(request, str(exc))
        return redirect("payments_claims:inspect", claim.pk)


class QueueView(ClaimPermissionMixin, View):
    """Claims waiting for a decision, oldest first; tick several and approve or reject them together."""

    template_name = "payments/admin/queue.html"

    def get(self, request):
        base = (
            InvolvementClaim.objects.filter(status=Status.SUBMITTED)
            .select_related("contributor", "policy_version")
            .prefetch_related("expenses")
        )
        filterset = QueueFilterSet(request.GET or None, queryset=base, request=request)
        claims = (filterset.qs if filterset.is_bound and filterset.is_valid() else base).order_by(
            "submitted_at", "pk"
        )
        return TemplateResponse(
            request,
            self.template_name,
            {
                "claims": claims[:200],
                "count": claims.count(),
                "filterset": filterset,
                "header_title": "Claims waiting for a decision",
                "page_title": "Claims waiting for a decision",
                "header_icon": "list-ul",
            },
        )

    def post(self, request):
        ids = [i for i in map(parse_id, request.POST.getlist("claims")) if i is not None]
        action = request.POST.get("action")
        if not ids or action not in {"approve", "reject"}:
            messages.error(request, "Tick at least one claim and choose approve or reject.")
            return redirect(request.get_full_path())
        chosen = list(InvolvementClaim.objects.filter(pk__in=ids).order_by("pk"))
        done, refused = services.bulk_decide(
            chosen, actor=request.user, action=action, reason=request.POST.get("reason", "")
        )
        if done:
            messages.success(
                request, f"{'Approved' if action == 'approve' else 'Rejected'} {len(done)} claim(s)."
            )
        for claim, reason in refused:
            messages.error(request, f"Claim {claim.pk} ({claim}): {reason}")
        return redirect(request.get_full_path())


class ReportsView(ClaimPermissionMixin, View):
    def get(self, request):
        context = reports.full_report()
        context.update(
            {
                "header_title": "Involvement reports",
                "page_title": "Involvement reports",
                "header_icon": "table",
                "overdue": limits.overdue_claims()[:50],
            }
        )
        return TemplateResponse(request, "payments/admin/reports.html", context)


class ReportsExportView(ClaimPermissionMixin, View):
    def get(self, request, fmt):
        return report_response(fmt)
