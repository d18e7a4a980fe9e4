"""Contributors' view of their payouts and Stripe set-up, and the Stripe webhook endpoint."""

import logging

import stripe
from django.contrib import messages
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import payouts, stripe_gateway
from .payout_models import Payout, StripeAccount
from .views import contributor_required

log = logging.getLogger(__name__)


@contributor_required
def payout_list(request):
    own = (
        Payout.objects.filter(contributor=request.user)
        .exclude(status=Payout.Status.PENDING, method__in=Payout.Method.without_money())
        .exclude(status=Payout.Status.CANCELLED)
        .prefetch_related("items__claim")
        .order_by("-created_at")
    )
    return render(
        request,
        "payments/payouts/payout_list.html",
        {
            "payouts": own,
            "stripe_account": StripeAccount.objects.filter(user=request.user).first(),
            "stripe_available": stripe_gateway.is_configured(),
        },
    )


@contributor_required
def payout_detail(request, pk):
    payout = get_object_or_404(Payout.objects.select_related("run"), pk=pk, contributor=request.user)
    return render(
        request,
        "payments/payouts/payout_detail.html",
        {
            "payout": payout,
            "items": payout.items.select_related("claim"),
            "events": payout.events.all(),
            "reversals": payout.reversals.all(),
        },
    )


def _stripe_urls(request):
    return {
        "refresh_url": request.build_absolute_uri(reverse("payouts:stripe_refresh")),
        "return_url": request.build_absolute_uri(reverse("payouts:stripe_return")),
    }


def _start(request):
    if not stripe_gateway.is_configured():
        messages.error(request, "Payments through Stripe are not available. Choose another way to be paid.")
        return redirect("payouts:list")
    try:
        url = payouts.start_onboarding(request.user, **_stripe_urls(request))
    except stripe_gateway.GatewayError as exc:
        messages.error(request, f"We could not reach Stripe: {exc}. Please try again later.")
        return redirect("payouts:list")
    return redirect(url)


@contributor_required
@require_POST
def stripe_setup(request):
    return _start(request)


@contributor_required
def stripe_refresh(request):
    # Stripe sends people here when an onboarding link has expired: give them a fresh one.
    return _start(request)


@contributor_required
def stripe_return(request):
    account = StripeAccount.objects.filter(user=request.user).first()
    if account is None or not stripe_gateway.is_configured():
        return redirect("payouts:list")
    try:
        account = payouts.refresh_account(account)
    except stripe_gateway.GatewayError as exc:
        messages.warning(request, f"We could not check your Stripe account just now: {exc}")
        return redirect("payouts:list")
    if account.payouts_enabled:
        messages.success(
            request, "Your Stripe account is ready: future payments can go straight to your bank."
        )
    else:
        messages.info(
            request, "Stripe still needs some details before it can pay you. You can continue at any time."
        )
    return redirect("payouts:list")


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's events. Verified by signature (bad or stale: 400, nothing changes); each applied once."""
    try:
        event = stripe_gateway.construct_event(request.body, request.headers.get("Stripe-Signature"))
    except ValueError:
        return HttpResponseBadRequest("Invalid payload")
    except stripe.SignatureVerificationError:
        return HttpResponseBadRequest("Invalid signature")
    outcome = payouts.handle_event(event)
    log.info("Stripe event %s (%s): %s", event.id, event.type, outcome)
    return JsonResponse({"received": True, "outcome": outcome})
