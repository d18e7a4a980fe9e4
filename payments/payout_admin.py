"""Wagtail admin views for payouts: the payment run (choose, preview, confirm), the payout list, and each
payout's actions (send through Stripe or retry, record a bank transfer or voucher, close a declined one)."""

import datetime

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.http import require_POST

from portal.http import parse_id

from . import payouts, stripe_gateway
from .forms import ManualPaymentForm, ReversalForm
from .models import ActivityType, InvolvementClaim
from .payout_models import PaymentRun, Payout


def _require(request, perm):
    if not (request.user.has_perm(perm) and request.user.is_coordinator):
        raise PermissionDenied("Payouts are for coordinators.")


def _claim_contributors(request):
    return (
        get_user_model()
        .objects.filter(involvement_claims__status="approved")
        .distinct()
        .order_by("last_name")
    )


class PayableClaimFilter(django_filters.FilterSet):
    contributor = django_filters.ModelChoiceFilter(queryset=_claim_contributors, label="Contributor")
    activity_type = django_filters.ChoiceFilter(choices=ActivityType.choices, label="Activity")
    project = django_filters.CharFilter(lookup_expr="icontains", label="Project or event contains")
    approved_from = django_filters.DateFilter(
        field_name="decided_at",
        lookup_expr="date__gte",
        label="Approved on or after",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    approved_to = django_filters.DateFilter(
        field_name="decided_at",
        lookup_expr="date__lte",
        label="Approved on or before",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = InvolvementClaim
        fields = ["contributor", "activity_type", "project"]


class PayoutFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Payout.Status.choices, label="Status")
    method = django_filters.ChoiceFilter(choices=Payout.Method.choices, label="Method")
    run = django_filters.NumberFilter(label="Payment run number")

    class Meta:
        model = Payout
        fields = ["status", "method", "run"]


def payout_index(request):
    _require(request, "payments.view_payout")
    filterset = PayoutFilter(
        request.GET or None, queryset=Payout.objects.select_related("contributor", "run")
    )
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = Paginator(
        queryset.annotate(claim_count=Count("items")).order_by("-created_at", "-pk"), 50
    ).get_page(request.GET.get("p"))
    attention = Payout.objects.filter(
        Q(status=Payout.Status.FAILED) | Q(status=Payout.Status.REVERSED) | Q(status=Payout.Status.PROCESSING)
    ).count()
    totals = (
        Payout.objects.values("method", "status")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by("method")
    )
    return TemplateResponse(
        request,
        "payments/admin/payout_index.html",
        {
            "filter": filterset,
            "page": page,
            "attention": attention,
            "totals": totals,
            "stripe_test_mode": stripe_gateway.is_configured() and stripe_gateway.is_test_mode(),
        },
    )


def payment_run(request):
    _require(request, "payments.add_paymentrun")
    filterset = PayableClaimFilter(
        request.GET or None,
        queryset=payouts.payable_claims()
        .select_related("contributor")
        .order_by("contributor__last_name", "work_date"),
    )
    claims = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    context = {"filter": filterset, "claims": claims[:500], "claim_total": claims.count()}
    if request.method == "POST":
        ids = [pk for pk in map(parse_id, request.POST.getlist("claims")) if pk is not None]
        if not ids:
            messages.error(request, "Choose at least one approved claim to pay.")
            return TemplateResponse(request, "payments/admin/payment_run.html", context)
        if request.POST.get("action") == "confirm":
            try:
                run, skipped = payouts.create_run(
                    actor=request.user, claim_ids=ids, note=request.POST.get("note", "")
                )
            except payouts.PayoutError as exc:
                messages.error(request, str(exc))
                return redirect("payouts_admin:run")
            for pk, reason in skipped:
                messages.warning(request, f"Claim {getattr(pk, 'pk', pk)} left out: {reason}")
            if run is None:
                messages.error(
                    request, "Nothing was paid: every chosen claim is already in a payout or not approved."
                )
                return redirect("payouts_admin:run")
            messages.success(request, f"Payment run {run.pk} created with {run.payouts.count()} payout(s).")
            return redirect("payouts_admin:run_detail", run.pk)
        plans, skipped = payouts.preview_run(InvolvementClaim.objects.filter(pk__in=ids), actor=request.user)
        context.update(
            {
                "plans": plans,
                "skipped": skipped,
                "chosen_ids": ids,
                "preview": True,
                "grand_total": sum(p["total"] for p in plans),
            }
        )
    return TemplateResponse(request, "payments/admin/payment_run.html", context)


def run_detail(request, pk):
    _require(request, "payments.view_payout")
    run = get_object_or_404(PaymentRun.objects.select_related("created_by"), pk=pk)
    items = run.payouts.select_related("contributor").annotate(claim_count=Count("items"))
    return TemplateResponse(request, "payments/admin/run_detail.html", {"run": run, "payouts": items})


def payout_detail(request, pk):
    _require(request, "payments.view_payout")
    payout = get_object_or_404(Payout.objects.select_related("contributor", "run"), pk=pk)
    form = ManualPaymentForm(
        initial={
            "paid_on": datetime.date.today(),
            "method": payout.method
            if payout.method in (Payout.Method.BANK_TRANSFER, Payout.Method.VOUCHER)
            else Payout.Method.BANK_TRANSFER,
        }
    )
    return _detail(request, payout, form)


def _detail(request, payout, form, status=200, reversal_form=None):
    money_back = payout.status in (Payout.Status.PAID, Payout.Status.PARTIALLY_REVERSED)
    reversed_total = payouts.reversed_total(payout)
    unallocated = payouts.unallocated_reversal(payout)
    items = list(payout.items.select_related("claim"))
    reopenable = [i for i in items if i.released_at is None and i.amount <= unallocated]
    return TemplateResponse(
        request,
        "payments/admin/payout_detail.html",
        {
            "payout": payout,
            "items": items,
            "events": payout.events.select_related("actor"),
            "reversals": payout.reversals.select_related("actor"),
            "reversed_total": reversed_total,
            "net_paid": payout.amount - reversed_total,
            "unallocated": unallocated,
            "reopenable": reopenable,
            "form": form,
            "reversal_form": reversal_form or ReversalForm(initial={"on": datetime.date.today()}),
            "can_send": payout.method == Payout.Method.STRIPE and payout.is_open,
            "can_record": payout.status in ("pending", "failed")
            and payout.method in (Payout.Method.BANK_TRANSFER, Payout.Method.VOUCHER, Payout.Method.STRIPE),
            "can_close": payout.method in Payout.Method.without_money() and payout.status == "pending",
            "can_cancel": payout.status in ("pending", "failed"),
            "can_reverse": money_back
            and payout.method in (Payout.Method.BANK_TRANSFER, Payout.Method.VOUCHER),
            "can_reopen": payout.status in (Payout.Status.PARTIALLY_REVERSED,) and bool(reopenable),
            "stripe_configured": stripe_gateway.is_configured(),
        },
        status=status,
    )


@require_POST
def payout_send(request, pk):
    _require(request, "payments.change_payout")
    payout = get_object_or_404(Payout, pk=pk)
    try:
        result = payouts.send_stripe_transfer(payout, actor=request.user)
    except (payouts.PayoutError, stripe_gateway.StripeNotConfigured) as exc:
        messages.error(request, str(exc))
    else:
        if result.status == Payout.Status.PAID:
            messages.success(request, f"Paid £{result.amount} through Stripe ({result.stripe_transfer_id}).")
        elif result.status == Payout.Status.FAILED:
            messages.error(request, f"Stripe refused the transfer: {result.failure_reason} You can retry.")
        elif result.status == Payout.Status.PROCESSING:
            messages.warning(request, f"{result.failure_reason} The payout stays processing; retry is safe.")
        else:
            messages.info(request, f"This payout is {result.get_status_display().lower()}: nothing was sent.")
    return redirect("payouts_admin:detail", pk)


@require_POST
def payout_record(request, pk):
    _require(request, "payments.change_payout")
    payout = get_object_or_404(Payout.objects.select_related("contributor", "run"), pk=pk)
    form = ManualPaymentForm(request.POST)
    if not form.is_valid():
        return _detail(request, payout, form, status=400)
    try:
        payouts.record_manual_payment(
            payout,
            actor=request.user,
            paid_on=form.cleaned_data["paid_on"],
            reference=form.cleaned_data["reference"],
            method=form.cleaned_data["method"],
            voucher_provider=form.cleaned_data["voucher_provider"],
        )
    except payouts.PayoutError as exc:
        form.add_error(None, str(exc))
        return _detail(request, payout, form, status=400)
    messages.success(request, "Payment recorded; the contributor has been told.")
    return redirect("payouts_admin:detail", pk)


@require_POST
def payout_close(request, pk):
    _require(request, "payments.change_payout")
    payout = get_object_or_404(Payout, pk=pk)
    try:
        payouts.close_without_payment(payout, actor=request.user)
    except payouts.PayoutError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Closed without payment; the claims are marked as declined.")
    return redirect("payouts_admin:detail", pk)


@require_POST
def payout_cancel(request, pk):
    _require(request, "payments.change_payout")
    payout = get_object_or_404(Payout, pk=pk)
    try:
        payouts.cancel_payout(payout, actor=request.user, reason=request.POST.get("reason", ""))
    except payouts.PayoutError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Payout cancelled; its claims are approved and can be paid in another run.")
    return redirect("payouts_admin:detail", pk)


@require_POST
def payout_reverse(request, pk):
    _require(request, "payments.change_payout")
    payout = get_object_or_404(Payout.objects.select_related("contributor", "run"), pk=pk)
    form = ReversalForm(request.POST)
    if form.is_valid():
        try:
            payouts.record_reversal(
                payout,
                amount=form.cleaned_data["amount"],
                on=form.cleaned_data["on"],
                reference=form.cleaned_data["reference"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except payouts.PayoutError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Recorded. Coordinators have been told.")
            return redirect("payouts_admin:detail", pk)
    for error in form.non_field_errors():
        messages.error(request, error)
    return _detail(request, payout, ManualPaymentForm(), status=400, reversal_form=form)


@require_POST
def payout_reopen(request, pk):
    _require(request, "payments.change_payout")
    payout = get_object_or_404(Payout, pk=pk)
    ids = [value for value in request.POST.getlist("claims") if value.isdigit() and len(value) < 12]
    try:
        payouts.reopen_claims(payout, claim_ids=ids, actor=request.user)
    except payouts.PayoutError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Reopened: the claims are approved and can be paid in another run.")
    return redirect("payouts_admin:detail", pk)


urlpatterns = [
    path("", payout_index, name="index"),
    path("run/", payment_run, name="run"),
    path("runs/<int:pk>/", run_detail, name="run_detail"),
    path("<int:pk>/", payout_detail, name="detail"),
    path("<int:pk>/send/", payout_send, name="send"),
    path("<int:pk>/record/", payout_record, name="record"),
    path("<int:pk>/close/", payout_close, name="close"),
    path("<int:pk>/cancel/", payout_cancel, name="cancel"),
    path("<int:pk>/reverse/", payout_reverse, name="reverse"),
    path("<int:pk>/reopen/", payout_reopen, name="reopen"),
]
