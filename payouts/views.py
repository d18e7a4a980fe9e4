"""Contributors' view of their payouts and Stripe set-up, and the Stripe webhook endpoint."""

import json
import logging
import re

import stripe
from django.contrib import messages
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments.views import contributor_required
from portal import audit
from portal.http import parse_id

from . import services, stripe_gateway
from .models import Payout, StripeAccount
from .services.webhooks import EVENT_HANDLERS

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
        "payouts/payout_list.html",
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
        "payouts/payout_detail.html",
        {
            "payout": payout,
            "items": payout.items.select_related("claim"),
            "events": audit.trail(payout),
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
        url = services.start_onboarding(request.user, **_stripe_urls(request))
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
        account = services.refresh_account(account)
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


# What Stripe's ids look like (evt_…, acct_…, tr_…, po_…): short, plain, and within our columns.
STRIPE_ID = re.compile(r"[A-Za-z0-9_]{1,64}\Z")
EVENT_TYPE = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+\Z")
LATEST_CREATED = 2**63 - 1  # StripeWebhookEvent.created is a BigIntegerField


def _has_nul(payload):
    """True when any key or string in the parsed JSON holds NUL (PostgreSQL stores no NUL in text)."""
    stack = [payload]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def webhook_payload_problem(body):
    """Why a webhook body is not an event the portal can apply, or None when its shape is right.

    Checked before anything else reads it: everything services.handle_event and its handlers rely on
    (the event's id, type and creation time, its data object, the object's id for the events we
    handle, the connected account, the payout id in metadata, the requirements list) has the type
    and size they expect, and no string holds a NUL character.
    """
    try:
        event = json.loads(body)
    except (ValueError, RecursionError):  # not UTF-8 or not JSON, or nested past any real event
        return "the body is not JSON"
    if not isinstance(event, dict):
        return "the body is not an event object"
    if _has_nul(event):
        return "the event holds a NUL character"
    if not isinstance(event.get("id"), str) or not STRIPE_ID.match(event["id"]):
        return "the event has no valid id"
    if (
        not isinstance(event.get("type"), str)
        or not EVENT_TYPE.match(event["type"])
        or len(event["type"]) > 80
    ):
        return "the event has no valid type"
    created = event.get("created")
    if isinstance(created, bool) or not isinstance(created, int) or not 0 <= created <= LATEST_CREATED:
        return "the event has no valid creation time"
    account = event.get("account")
    if account is not None and (not isinstance(account, str) or not STRIPE_ID.match(account)):
        return "the event's account is not a valid id"
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        return "the event has no data object"
    if event["type"] in EVENT_HANDLERS and (
        not isinstance(obj.get("id"), str) or not STRIPE_ID.match(obj["id"])
    ):
        return "the event's object has no valid id"
    metadata = obj.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return "the object's metadata is not an object"
    payout_id = (metadata or {}).get("payout_id")
    if payout_id is not None and (
        not isinstance(payout_id, str) or (payout_id and parse_id(payout_id) is None)
    ):
        return "the payout id in the metadata is not valid"
    requirements = obj.get("requirements")
    if requirements is not None:
        due = requirements.get("currently_due") if isinstance(requirements, dict) else None
        if not isinstance(requirements, dict) or not (
            due is None or (isinstance(due, list) and all(isinstance(item, str) for item in due))
        ):
            return "the account's requirements are not a list of names"
    return None


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's events. The shape is checked first and the signature next (either wrong: 400, nothing
    changes); each event is applied once."""
    problem = webhook_payload_problem(request.body)
    if problem:
        return HttpResponseBadRequest(f"Invalid payload: {problem}")
    try:
        event = stripe_gateway.construct_event(request.body, request.headers.get("Stripe-Signature"))
    except ValueError:
        return HttpResponseBadRequest("Invalid payload")
    except stripe.SignatureVerificationError:
        return HttpResponseBadRequest("Invalid signature")
    outcome = services.handle_event(event)
    log.info("Stripe event %s (%s): %s", event.id, event.type, outcome)
    return JsonResponse({"received": True, "outcome": outcome})
