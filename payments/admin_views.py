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
from .forms import OfflineContributorForm, OnBehalfClaimForm, OnBehalfExpenseFormSet
from .models import ContributorProfile, InvolvementClaim

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


class EnterOnBehalfView(PermissionCheckedMixin, View):
    """A coordinator enters a claim for someone from a signed sheet or a call (payments.services.
    create_on_behalf). Needs `payments.add_involvementclaim`; the claim goes to the queue, where another
    coordinator decides it."""

    model = InvolvementClaim
    permission_required = "add"
    template_name = "payments/admin/enter_claim.html"

    def render(self, request, form, expense_forms, status=200):
        return TemplateResponse(
            request,
            self.template_name,
            {
                "form": form,
                "expense_forms": expense_forms,
                "header_title": "Enter a claim on someone's behalf",
                "page_title": "Enter a claim on someone's behalf",
                "header_icon": "edit",
            },
            status=status,
        )

    def get(self, request):
        initial = {}
        person = parse_id(request.GET.get("contributor", ""))
        if person is not None:
            initial["contributor"] = person
        form = OnBehalfClaimForm(actor=request.user, initial=initial)
        return self.render(request, form, OnBehalfExpenseFormSet(prefix="expenses"))

    def post(self, request):
        form = OnBehalfClaimForm(request.POST, actor=request.user)
        expense_forms = OnBehalfExpenseFormSet(request.POST, request.FILES, prefix="expenses")
        if not (form.is_valid() and expense_forms.is_valid()):
            return self.render(request, form, expense_forms, status=400)
        rows = [f.expense_data() for f in expense_forms if f.has_changed() and f.cleaned_data.get("category")]
        try:
            claim = services.create_on_behalf(
                contributor=form.cleaned_data["contributor"],
                actor=request.user,
                data=form.claim_data(),
                entered_from=form.cleaned_data["entered_from"],
                agreement=form.cleaned_data["agreement"],
                expenses=rows,
            )
        except services.ClaimError as exc:
            form.add_error(None, str(exc))
            return self.render(request, form, expense_forms, status=400)
        messages.success(
            request,
            f"Claim entered for {claim.contributor}: £{claim.total_amount}. Another coordinator will decide it.",
        )
        return redirect("payments_claims:inspect", claim.pk)


class OfflineContributorView(PermissionCheckedMixin, View):
    """A coordinator records a contributor who has no e-mail address (services.record_offline_contributor).
    Needs `payments.add_contributorprofile`."""

    model = ContributorProfile
    permission_required = "add"
    template_name = "payments/admin/offline_contributor.html"

    def render(self, request, form, status=200):
        return TemplateResponse(
            request,
            self.template_name,
            {
                "form": form,
                "header_title": "Record a contributor without e-mail",
                "page_title": "Record a contributor without e-mail",
                "header_icon": "user",
            },
            status=status,
        )

    def get(self, request):
        return self.render(request, OfflineContributorForm())

    def post(self, request):
        form = OfflineContributorForm(request.POST)
        if not form.is_valid():
            return self.render(request, form, status=400)
        try:
            profile = services.record_offline_contributor(actor=request.user, **form.cleaned_data)
        except services.ClaimError as exc:
            form.add_error(None, str(exc))
            return self.render(request, form, status=400)
        messages.success(
            request,
            f"{profile} is recorded. They have no sign-in: enter their claims for them, and pay them by bank "
            "transfer or voucher.",
        )
        return redirect("payments_contributors:inspect", profile.pk)
