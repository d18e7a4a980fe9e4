"""Coordinators' admin: the payment policy and its versions, contributors' choices, the claim queue
(inspect, approve, reject, singly or in bulk) and reports.

Claims are never edited or deleted in the admin: every change goes through payments.services, which
locks the claim, re-checks its state, refuses self-approval and writes the audit trail.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import EditView, IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet

from portal.http import parse_id

from . import limits, payouts, reports, services
from .filters import ClaimFilterSet
from .forms import ManualPaymentForm, RejectForm
from .models import ContributorProfile, InvolvementClaim, PaymentPolicy, PolicyVersion

Status = InvolvementClaim.Status


def pay_by_hand(request, claim, back):
    """A claim paid by a bank transfer or voucher outside the portal: a payout of one, recorded."""
    form = ManualPaymentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        payout = payouts.pay_claim_by_hand(
            claim,
            actor=request.user,
            method=form.cleaned_data["method"],
            paid_on=form.cleaned_data["paid_on"],
            reference=form.cleaned_data["reference"],
            voucher_provider=form.cleaned_data["voucher_provider"],
        )
    except payouts.PayoutError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Paid £{payout.amount} by {payout.get_method_display().lower()} (payout {payout.pk})."
        )
    return redirect(back)


def require_coordinator(request):
    if not request.user.is_coordinator:
        raise PermissionDenied("Only coordinators deal with claims.")


class PaymentPolicyViewSet(ModelViewSet):
    model = PaymentPolicy
    icon = "doc-full"
    menu_label = "Payment policies"
    list_display = ["name", "is_active"]
    inspect_view_enabled = True


class PolicyVersionEditView(EditView):
    def get(self, request, *args, **kwargs):
        if self.get_object().is_locked:
            messages.warning(
                request,
                "Approved claims used this version, so it is read-only: saving changes will be refused. "
                "To change rates or rules, copy it into a new version with a later effective date.",
            )
        return super().get(request, *args, **kwargs)


class PolicyVersionViewSet(ModelViewSet):
    model = PolicyVersion
    icon = "date"
    menu_label = "Policy versions"
    list_display = [
        "__str__",
        "effective_from",
        "pay_within_days",
        Column("is_locked", label="Used by approved claims"),
    ]
    list_filter = ["policy"]
    inspect_view_enabled = True
    copy_view_enabled = True
    edit_view_class = PolicyVersionEditView


class ContributorProfileViewSet(ModelViewSet):
    model = ContributorProfile
    icon = "user"
    menu_label = "Contributors"
    list_display = ["display_name", "user", "payment_preference", "tax_year_limit"]
    list_filter = ["payment_preference"]
    search_fields = ["display_name", "user__email"]
    form_fields = [
        "user",
        "display_name",
        "payment_preference",
        "charity_name",
        "lower_amount",
        "weekly_limit",
        "monthly_limit",
        "tax_year_limit",
    ]
    inspect_view_enabled = True


class ClaimInspectView(InspectView):
    template_name = "payments/admin/claim_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.object
        holding = claim.payout_items.held().select_related("payout").first()
        context.update(
            {
                "claim": claim,
                "expenses": claim.expenses.all(),
                "events": claim.events.select_related("actor"),
                "reject_form": RejectForm(),
                "own_claim": claim.contributor_id == self.request.user.pk,
                "can_decide": claim.status == Status.SUBMITTED and self.request.user.is_coordinator,
                "payments": claim.payout_items.select_related("payout").order_by("pk"),
                "holding": holding,
                "can_pay": claim.status == Status.APPROVED
                and holding is None
                and self.request.user.is_coordinator,
                "pay_form": ManualPaymentForm(initial={"paid_on": timezone.localdate()}),
                "decide_url": reverse("payments_claims:decide", args=[claim.pk]),
                "receipt_url_name": "payments:receipt_download",
            }
        )
        return context


class ClaimIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("contributor")


class ClaimViewSet(ModelViewSet):
    model = InvolvementClaim
    icon = "list-ul"
    menu_label = "Claims"
    list_display = [
        "__str__",
        "contributor",
        DateColumn("work_date", label="Date"),
        "project",
        "total_amount",
        "status",
    ]
    list_export = [
        "pk",
        "contributor",
        "work_date",
        "activity_type",
        "project",
        "duration_minutes",
        "preparation_minutes",
        "status",
        "fee_amount",
        "expenses_amount",
        "total_amount",
        "submitted_at",
        "decided_at",
        "paid_at",
    ]
    export_filename = "involvement-claims"
    filterset_class = ClaimFilterSet
    search_fields = ["project", "notes", "contributor__email", "contributor__last_name"]
    ordering = ["-work_date", "-pk"]
    inspect_view_enabled = True
    inspect_view_class = ClaimInspectView
    index_view_class = ClaimIndexView
    copy_view_enabled = False
    # The explanation is shown line by line above the fields.
    inspect_view_fields_exclude = ["explanation"]
    # Required by ModelViewSet, though the add and edit views are never routed (see get_urlpatterns).
    form_fields = ["notes"]

    @property
    def url_finder_class(self):
        # Claims have no edit view: links to a claim from elsewhere in the admin (the "Used N times"
        # listing of a policy version, for one) go to its inspect view.
        return type("ClaimURLFinder", (ModelAdminURLFinder,), {"edit_url_name": self.get_url_name("inspect")})

    def get_common_view_kwargs(self, **kwargs):
        # No add, edit or delete: claims change only through the services.
        return super().get_common_view_kwargs(
            add_url_name=None, edit_url_name=None, delete_url_name=None, **kwargs
        )

    def get_urlpatterns(self):
        keep = {"index", "index_results", "inspect", "history", "history_results", "usage"}
        patterns = [p for p in super().get_urlpatterns() if p.name in keep]
        return [
            *patterns,
            path("decide/<int:pk>/", self.decide_view, name="decide"),
            path("queue/", self.queue_view, name="queue"),
            path("reports/", self.reports_view, name="reports"),
            path("reports/export/<str:fmt>/", self.reports_export_view, name="reports_export"),
        ]

    @cached_property
    def decide_view(self):
        def view(request, pk):
            require_coordinator(request)
            claim = get_object_or_404(InvolvementClaim, pk=pk)
            back = reverse("payments_claims:inspect", args=[claim.pk])
            if request.method != "POST":
                return redirect(back)
            action = request.POST.get("action")
            try:
                if action == "approve":
                    services.approve(claim, actor=request.user)
                    messages.success(request, f"Approved: {claim} for £{claim.total_amount}.")
                elif action == "reject":
                    services.reject(claim, actor=request.user, reason=request.POST.get("reason", ""))
                    messages.success(request, f"Rejected: {claim}.")
                elif action == "paid":
                    return pay_by_hand(request, claim, back)
                elif action == "declined":
                    services.mark_declined(claim, actor=request.user)
                    messages.success(request, f"Marked as declined: {claim}.")
                else:
                    messages.error(request, "Choose what to do with the claim.")
            except services.ClaimError as exc:
                messages.error(request, str(exc))
            return redirect(back)

        return view

    @cached_property
    def queue_view(self):
        def view(request):
            require_coordinator(request)
            base = InvolvementClaim.objects.filter(status=Status.SUBMITTED).select_related("contributor")
            filterset = ClaimFilterSet(request.GET or None, queryset=base, request=request)
            claims = (filterset.qs if filterset.is_bound and filterset.is_valid() else base).order_by(
                "submitted_at", "pk"
            )
            if request.method == "POST":
                ids = [i for i in map(parse_id, request.POST.getlist("claims")) if i is not None]
                action = request.POST.get("action")
                if not ids or action not in {"approve", "reject"}:
                    messages.error(request, "Tick at least one claim and choose approve or reject.")
                else:
                    chosen = list(InvolvementClaim.objects.filter(pk__in=ids).order_by("pk"))
                    done, refused = services.bulk_decide(
                        chosen, actor=request.user, action=action, reason=request.POST.get("reason", "")
                    )
                    verb = "Approved" if action == "approve" else "Rejected"
                    if done:
                        messages.success(request, f"{verb} {len(done)} claim(s).")
                    for claim, reason in refused:
                        messages.error(request, f"Claim {claim.pk} ({claim}): {reason}")
                return redirect(request.get_full_path())
            return TemplateResponse(
                request,
                "payments/admin/queue.html",
                {
                    "claims": claims[:200],
                    "count": claims.count(),
                    "filterset": filterset,
                    "header_title": "Claims waiting for a decision",
                    "page_title": "Claims waiting for a decision",
                    "header_icon": "list-ul",
                },
            )

        return view

    @cached_property
    def reports_view(self):
        def view(request):
            require_coordinator(request)
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

        return view

    @cached_property
    def reports_export_view(self):
        def view(request, fmt):
            require_coordinator(request)
            from .exports import report_response

            return report_response(fmt)

        return view


claim_viewset = ClaimViewSet("payments_claims")
policy_viewset = PaymentPolicyViewSet("payments_policies")
version_viewset = PolicyVersionViewSet("payments_versions")
contributor_viewset = ContributorProfileViewSet("payments_contributors")
viewsets = [claim_viewset, policy_viewset, version_viewset, contributor_viewset]
