from django.db.models import Count
from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from portal import audit

from . import panels, services
from .models import InvolvementClaim
from .viewsets import viewsets


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_viewset")
def register_payments_viewsets():
    return viewsets


@hooks.register("register_admin_menu_item")
def register_involvement_menu():
    items = [
        PermissionMenuItem(
            "Waiting for a decision",
            reverse("payments_claims:queue"),
            icon_name="tasks",
            order=100,
            permission=services.DECIDE,
        ),
        PermissionMenuItem(
            "All claims",
            reverse("payments_claims:index"),
            icon_name="list-ul",
            order=200,
            permission="payments.view_involvementclaim",
        ),
        PermissionMenuItem(
            "Reports",
            reverse("payments_claims:reports"),
            icon_name="table",
            order=300,
            permission=services.DECIDE,
        ),
        PermissionMenuItem(
            "Contributors",
            reverse("payments_contributors:index"),
            icon_name="user",
            order=400,
            permission="payments.view_contributorprofile",
        ),
        PermissionMenuItem(
            "Enter a claim for someone",
            reverse("payments_claims:enter"),
            icon_name="edit",
            order=150,
            permission=services.ENTER,
        ),
        PermissionMenuItem(
            "Record a contributor without e-mail",
            reverse("payments_contributors:add_without_email"),
            icon_name="user",
            order=410,
            permission=services.RECORD_CONTRIBUTOR,
        ),
        PermissionMenuItem(
            "Benefit and tax figures",
            reverse("payments_benefit_figures:index"),
            icon_name="table",
            order=650,
            permission="payments.view_benefitfigures",
        ),
        PermissionMenuItem(
            "Roles",
            reverse("payments_involvements:index"),
            icon_name="group",
            order=450,
            permission="payments.view_involvement",
        ),
        PermissionMenuItem(
            "Payment policies",
            reverse("payments_policies:index"),
            icon_name="doc-full",
            order=500,
            permission="payments.view_paymentpolicy",
        ),
        PermissionMenuItem(
            "Policy versions and rates",
            reverse("payments_versions:index"),
            icon_name="date",
            order=600,
            permission="payments.view_policyversion",
        ),
    ]
    return SubmenuMenuItem("Involvement", Menu(items=items), icon_name="pick", order=300)


@hooks.register("register_log_actions")
def register_claim_log_actions(actions):
    audit.register(actions, services.CHANGED, "Claim changed")
    audit.register(actions, services.INVOLVEMENT_STARTED, "Involvement started")
    audit.register(actions, services.CONTRIBUTOR_RECORDED, "Contributor recorded without e-mail")


@hooks.register("construct_homepage_panels")
def add_overdue_panel(request, panels_list):
    if request.user.has_perm(services.DECIDE):
        panels_list.append(panels.OverdueClaimsPanel())


@hooks.register("home_page_sections")
def involvement_home_section(request, page):
    """Signed-in contributors see their involvement at a glance; everyone else sees nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_contributor:
        return None
    counts = dict(
        InvolvementClaim.objects.filter(contributor=user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "template": "payments/home_section.html",
        "order": 30,
        "drafts": counts.get(InvolvementClaim.Status.DRAFT, 0),
        "waiting": counts.get(InvolvementClaim.Status.SUBMITTED, 0),
        "approved": counts.get(InvolvementClaim.Status.APPROVED, 0),
    }
