from django.db.models import Count
from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import panels
from .viewsets import viewsets


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission=None, coordinators_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission
        self.coordinators_only = coordinators_only

    def is_shown(self, request):
        if self.coordinators_only:
            return request.user.is_coordinator
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
            coordinators_only=True,
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
            coordinators_only=True,
        ),
        PermissionMenuItem(
            "Contributors",
            reverse("payments_contributors:index"),
            icon_name="user",
            order=400,
            permission="payments.view_contributorprofile",
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


@hooks.register("construct_homepage_panels")
def add_overdue_panel(request, panels_list):
    if request.user.is_coordinator:
        panels_list.append(panels.OverdueClaimsPanel())


@hooks.register("home_page_sections")
def involvement_home_section(request, page):
    """Signed-in contributors see their involvement at a glance; everyone else sees nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_contributor:
        return None
    from .models import InvolvementClaim

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


# Payouts (issue 6) register their own admin views, menu and panels.
from . import payout_hooks  # noqa: E402, F401
