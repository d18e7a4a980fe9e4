"""Coordinators' admin in Wagtail's one style: ModelViewSets for the payment policy and its versions,
contributors' choices and claims (inspect, History, export). The claim actions (decide, the queue,
reports) are view classes in `payments.admin_views`, registered under the claims prefix.

Claims are never edited or deleted in the admin: every change goes through payments.services, which
locks the claim, re-checks its state, refuses self-approval and writes the audit trail.
"""

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import EditView, IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet

from portal import audit
from portal.admin_links import viewing_url_finder

from . import admin_views, benefits, expenses
from .display import HumanInspectMixin, human
from .display import tax_year_label as human_tax_year
from .expectations import expected_payment
from .filters import ClaimFilterSet
from .forms import RejectForm
from .models import (
    BenefitFigures,
    ContributorProfile,
    Involvement,
    InvolvementClaim,
    PaymentPolicy,
    PolicyVersion,
)

Status = InvolvementClaim.Status


class HumanColumn(Column):
    """A column that shows its field the way a person reads it (labels, Yes/No, £0.00, days)."""

    def get_value(self, instance):
        value = super().get_value(instance)
        try:
            field = instance._meta.get_field(self.accessor)
        except FieldDoesNotExist:  # an attribute, not a field
            field = None
        return human(value, field)


class HumanInspectView(HumanInspectMixin, InspectView):
    pass


class PaymentPolicyViewSet(ModelViewSet):
    model = PaymentPolicy
    icon = "doc-full"
    menu_label = "Payment policies"
    list_display = ["name", HumanColumn("is_active", label="Active")]
    inspect_view_enabled = True
    inspect_view_class = HumanInspectView


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
        Column("pay_within_days", label="Pays within (days)"),
        HumanColumn("is_locked", label="Used by approved claims"),
    ]
    list_filter = ["policy"]
    inspect_view_enabled = True
    inspect_view_class = HumanInspectView
    copy_view_enabled = True
    edit_view_class = PolicyVersionEditView


class ContributorProfileViewSet(ModelViewSet):
    model = ContributorProfile
    icon = "user"
    menu_label = "Contributors"
    list_display = [
        "display_name",
        Column("user", label="Person (e-mail, if any)"),
        HumanColumn("payment_preference", label="How they would like to be paid"),
        HumanColumn("tax_year_limit", label="Tax-year limit"),
    ]
    list_filter = ["payment_preference"]
    inspect_view_class = HumanInspectView
    search_fields = ["display_name", "user__email", "user__phone"]
    form_fields = [
        "user",
        "display_name",
        "payment_preference",
        "charity_name",
        "lower_amount",
        "weekly_limit",
        "monthly_limit",
        "tax_year_limit",
        "uc_assessment_start_day",
        "uc_work_allowance",
        "esa_permitted_work_limit",
        "postal_address",
        "contact_consent_on",
        "contact_consent_how",
    ]
    inspect_view_enabled = True

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("without-email/", admin_views.OfflineContributorView.as_view(), name="add_without_email"),
        ]


class ClaimInspectView(HumanInspectMixin, InspectView):
    template_name = "payments/admin/claim_inspect.html"

    def get_tax_year_display_value(self):
        return human_tax_year(self.object.tax_year)

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
                "entered_by_me": claim.entered_by_id is not None
                and claim.entered_by_id == self.request.user.pk,
                "benefit_warnings": benefits.claim_warnings(claim, for_coordinator=True),
                "expected": expected_payment(claim),
                "receipt_limit": expenses.receipt_limit(claim),
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
        HumanColumn("total_amount", label="Total"),
        HumanColumn("status", label="Status"),
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
    # The explanation is shown line by line above the fields; the rest in people's words.
    inspect_view_fields = [
        "contributor",
        "work_date",
        "activity_type",
        "duration_minutes",
        "preparation_minutes",
        "project",
        "involvement",
        "notes",
        "entered_by",
        "entered_from",
        "agreement_note",
        "status",
        "tax_year",
        "policy_version",
        "fee_amount",
        "expenses_amount",
        "total_amount",
        "submitted_at",
        "decided_at",
        "decided_by",
        "decision_reason",
        "decision_wait",
        "paid_at",
        "payment_wait",
        "payment_reference",
    ]
    # Required by ModelViewSet, though the add and edit views are never routed (see get_urlpatterns).
    form_fields = ["notes"]

    @property
    def url_finder_class(self):
        # Claims have no edit view: links to a claim from elsewhere in the admin (the "Used N times"
        # listing of a policy version, the site history report) go to its inspect view.
        return viewing_url_finder(self.get_url_name("inspect"))

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
            path("enter/", admin_views.EnterOnBehalfView.as_view(), name="enter"),
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
    inspect_view_class = HumanInspectView
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


class BenefitFiguresViewSet(ModelViewSet):
    """The figures benefit warnings use, one row per tax year, with where they were published. Kept by
    coordinators (add next year's each April); never deleted, so past warnings stay explainable."""

    model = BenefitFigures
    icon = "table"
    menu_label = "Benefit and tax figures"
    list_display = [
        "__str__",
        HumanColumn("esa_permitted_work_higher_weekly", label="ESA higher limit a week"),
        HumanColumn("uc_work_allowance_lower_monthly", label="UC lower work allowance"),
        HumanColumn("uc_work_allowance_higher_monthly", label="UC higher work allowance"),
        HumanColumn("trading_allowance", label="Trading allowance"),
    ]
    form_fields = [
        "tax_year",
        "esa_permitted_work_lower_weekly",
        "esa_permitted_work_higher_weekly",
        "uc_work_allowance_lower_monthly",
        "uc_work_allowance_higher_monthly",
        "trading_allowance",
        "source",
    ]
    inspect_view_enabled = True
    inspect_view_class = HumanInspectView
    copy_view_enabled = True

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(delete_url_name=None, **kwargs)

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name != "delete"]


claim_viewset = ClaimViewSet("payments_claims")
figures_viewset = BenefitFiguresViewSet("payments_benefit_figures")
policy_viewset = PaymentPolicyViewSet("payments_policies")
version_viewset = PolicyVersionViewSet("payments_versions")
contributor_viewset = ContributorProfileViewSet("payments_contributors")
involvement_viewset = InvolvementViewSet("payments_involvements")
viewsets = [
    claim_viewset,
    policy_viewset,
    version_viewset,
    contributor_viewset,
    involvement_viewset,
    figures_viewset,
]
