"""Registration only: the payouts admin viewsets, log actions, the dashboard panel, the Stripe test-mode
banner, and what payouts add to the payments app's pages through the hooks that app offers
(`involvement_money_paid`, `claim_inspect_panels`, `my_involvement_sections`)."""

import datetime

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.ui.components import Component

from portal import audit

from . import reports, stripe_gateway
from .forms import ManualPaymentForm
from .models import PaymentHold, Payout
from .services.common import CHANGED
from .viewsets import NEEDS_ATTENTION, viewsets


@hooks.register("register_admin_viewset")
def register_payouts_viewsets():
    return viewsets


@hooks.register("register_log_actions")
def register_payout_log_actions(actions):
    audit.register(actions, CHANGED, "Payout changed")


class PayoutProblemsPanel(Component):
    name = "payout_problems"
    order = 60

    def __init__(self, count):
        self.count = count

    def render_html(self, parent_context=None):
        return format_html(
            '<section class="panel summary nice-padding" aria-labelledby="payout-problems-heading">'
            '<h2 id="payout-problems-heading">Payouts needing attention</h2>'
            "<p>{} payout(s) failed, are still processing, or had money come back. "
            '<a href="{}">Review them</a>.</p></section>',
            self.count,
            reverse("payouts_admin:index"),
        )


@hooks.register("construct_homepage_panels")
def add_payout_problems_panel(request, panels):
    if not request.user.has_perm("payouts.change_payout"):
        return
    count = Payout.objects.filter(status__in=NEEDS_ATTENTION).count()
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
    return reports.money_paid_by_tax_year(contributor_ids)


@hooks.register("claim_inspect_panels")
def claim_payments_panel(request, claim):
    """On a claim's admin page: the payout that holds it, every payment and reversal for it with
    amounts, and — for an approved claim no payout holds — recording a payment made by hand."""
    items = list(claim.payout_items.select_related("payout").order_by("pk"))
    holding = next((i for i in items if i.released_at is None), None)
    can_pay = (
        claim.status == claim.Status.APPROVED
        and holding is None
        and request.user.has_perm("payouts.change_payout")
    )
    return render_to_string(
        "payouts/admin/claim_payments_panel.html",
        {
            "claim": claim,
            "payments": items,
            "holding": holding,
            "can_pay": can_pay,
            "pay_form": ManualPaymentForm(initial={"paid_on": datetime.date.today()}) if can_pay else None,
        },
        request=request,
    )


@hooks.register("unavailable_payment_preferences")
def stripe_unless_configured():
    """Contributors are offered Stripe only when this site has Stripe set up."""
    return [] if stripe_gateway.is_configured() else ["stripe"]


@hooks.register("claim_planned_payment_date")
def planned_payment_date(claim):
    """(the planned date of the payment holding an approved claim, "Payment N"), or None."""
    item = (
        claim.payout_items.filter(released_at__isnull=True, payout__status__in=Payout.Status.open())
        .select_related("payout__run")
        .first()
    )
    if item is None or item.payout.run.planned_on is None:
        return None
    return item.payout.run.planned_on, f"Payment {item.payout_id}"


@hooks.register("my_involvement_sections")
def my_payments_section(request):
    recent = (
        Payout.objects.filter(contributor=request.user)
        .exclude(status=Payout.Status.PENDING, method__in=Payout.Method.without_money())
        .exclude(status=Payout.Status.CANCELLED)
        .prefetch_related("items")
        .order_by("-created_at", "-pk")[:5]
    )
    return {
        "template": "payouts/recent.html",
        "payouts": list(recent),
        "stripe_available": stripe_gateway.is_configured(),
    }


@hooks.register("contributor_expected_payments")
def expected_payments(person, *, today):
    """The person's payments for payments.benefits: each payout that moves money as one payment (paid:
    the day it was paid; open: its run's planned date, else its claims' policy date), and claims held
    out of a run, with no date (they are paid when a coordinator chooses)."""
    from payments.benefits import ExpectedPayment

    payouts = (
        Payout.objects.filter(contributor=person)
        .exclude(method__in=Payout.Method.without_money())
        .filter(status__in=[*Payout.Status.open(), *Payout.Status.money_moved()])
        .select_related("run")
        .prefetch_related("items__claim__policy_version")
    )
    for payout in payouts:
        claims = [item.claim for item in payout.items.all() if item.released_at is None]
        ids = tuple(claim.pk for claim in claims)
        if payout.status in Payout.Status.money_moved():
            day, basis = payout.paid_on, "paid"
        elif payout.run.planned_on is not None:
            day, basis = payout.run.planned_on, "planned"
        else:
            dates = [d for d in (claim.pay_by() for claim in claims) if d is not None]
            day, basis = (min(dates) if dates else today), "policy"
        if day is not None:
            yield ExpectedPayment(day, payout.fee_amount, f"payment {payout.pk}", basis, ids)
    held = PaymentHold.objects.filter(claim__contributor=person, ended_at__isnull=True)
    for claim_id in held.values_list("claim_id", flat=True):
        yield ExpectedPayment(None, None, f"claim {claim_id} (held)", "held", (claim_id,))
