"""Coordinators' admin in Wagtail's one style: ModelViewSets for the payment policy and its versions,
contributors' choices and claims (inspect, History, export). The claim actions (decide, the queue,
reports) are view classes in `payments.admin_views`, registered under the claims prefix.

Claims are never edited or deleted in the admin: every change goes through payments.services, which
locks the claim, re-checks its state, refuses self-approval and writes the audit trail.
"""

from django.contrib import messages
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import EditView, IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet

from portal import audit

from . import admin_views
from .filters import ClaimFilterSet
from .forms import RejectForm
from .models import ContributorProfile, Involvement, InvolvementClaim, PaymentPolicy, PolicyVersion

Status = InvolvementClaim.Status


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
        can_decide = self.request.user.has_perm("payments.change_involvementclaim")
        context.update(
            {
                "claim": claim,
                "expenses": claim.expenses.all(),
                "events": audit.trail(claim),
                "reject_form": RejectForm(),
                "own_claim": claim.contributor_id == self.request.user.pk,
                "can_decide": can_decide and claim.status == Status.SUBMITTED,
                "can_decline": can_decide and claim.status == Status.APPROVED,
                # What other apps show on a claim (payouts: its payments), through this app's hook.
                "panels": [
                    html
                    for html in (fn(self.request, claim) for fn in hooks.get_hooks("claim_inspect_panels"))
                    if html
                ],
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
            path("decide/<int:pk>/", admin_views.DecideView.as_view(), name="decide"),
            path("queue/", admin_views.QueueView.as_view(), name="queue"),
            path("reports/", admin_views.ReportsView.as_view(), name="reports"),
            path("reports/export/<str:fmt>/", admin_views.ReportsExportView.as_view(), name="reports_export"),
        ]


class InvolvementViewSet(ModelViewSet):
    """People's roles. Recorded by `payments.services.start_involvement` (accepting an offer of a role);
    coordinators correct a title or the dates here (Wagtail's log keeps each edit), and never add or
    delete one: claims point at it."""

    model = Involvement
    icon = "group"
    menu_label = "Roles"
    list_display = [
        "title",
        "person",
        Column("opportunity", label="Opportunity"),
        DateColumn("start_date", label="From"),
        DateColumn("end_date", label="To"),
    ]
    list_filter = ["activity_type"]
    search_fields = ["title", "person__email", "person__first_name", "person__last_name"]
    form_fields = ["title", "activity_type", "start_date", "end_date"]
    copy_view_enabled = False
    inspect_view_enabled = True

    def get_queryset(self, request):
        return Involvement.objects.select_related("person", "opportunity")

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(add_url_name=None, delete_url_name=None, **kwargs)

    def get_urlpatterns(self):
        keep = {"index", "index_results", "inspect", "edit", "history", "history_results", "usage"}
        return [p for p in super().get_urlpatterns() if p.name in keep]


claim_viewset = ClaimViewSet("payments_claims")
policy_viewset = PaymentPolicyViewSet("payments_policies")
version_viewset = PolicyVersionViewSet("payments_versions")
contributor_viewset = ContributorProfileViewSet("payments_contributors")
involvement_viewset = InvolvementViewSet("payments_involvements")
viewsets = [claim_viewset, policy_viewset, version_viewset, contributor_viewset, involvement_viewset]
