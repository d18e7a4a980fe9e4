"""Admin registration for payouts (imported by payments/wagtail_hooks.py)."""

from django.urls import include, path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from . import payout_admin, payout_reports, stripe_gateway
from .payout_models import Payout


@hooks.register("register_admin_urls")
def register_payout_urls():
    return [path("payouts/", include((payout_admin.urlpatterns, "payouts_admin"), namespace="payouts_admin"))]


class CoordinatorMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_coordinator and request.user.has_perm("payments.view_payout")


@hooks.register("register_admin_menu_item")
def register_payouts_menu():
    return CoordinatorMenuItem("Payouts", reverse("payouts_admin:index"), icon_name="tasks", order=310)


class PayoutProblemsPanel(Component):
    name = "payout_problems"
    order = 60

    def __init__(self, count):
        self.count = count

    def render_html(self, parent_context=None):
        return format_html(
            '<section class="panel summary nice-padding" aria-labelledby="payout-problems-heading">'
            '<h2 id="payout-problems-heading">Payouts needing attention</h2>'
            '<p>{} payout(s) failed, were reversed or are still processing. <a href="{}">Review them</a>.</p></section>',
            self.count,
            reverse("payouts_admin:index") + "?status=failed",
        )


@hooks.register("construct_homepage_panels")
def add_payout_problems_panel(request, panels):
    if not request.user.is_coordinator:
        return
    count = Payout.objects.filter(
        status__in=[Payout.Status.FAILED, Payout.Status.REVERSED, Payout.Status.PROCESSING]
    ).count()
    if count:
        panels.append(PayoutProblemsPanel(count))


@hooks.register("insert_global_admin_css")
def stripe_test_mode_banner_css():
    if not (stripe_gateway.is_configured() and stripe_gateway.is_test_mode()):
        return ""
    return format_html(
        "<style>{}</style>",
        "body::before{content:'Stripe test mode: no real money moves';display:block;position:sticky;top:0;"
        "z-index:1000;background:#fde68a;color:#1a1a1a;font-weight:700;text-align:center;padding:.35rem;}",
    )


@hooks.register("involvement_money_paid")
def money_paid(contributor_ids):
    return payout_reports.money_paid_by_tax_year(contributor_ids)
