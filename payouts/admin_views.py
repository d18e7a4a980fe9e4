"""Coordinators' payout actions in the Wagtail admin, as view classes that `payouts.viewsets` registers:
the payment run (choose, preview, confirm), paying one claim by hand, and each payout's actions (send
through Stripe or retry, close a declined or donated one, cancel, record money that came back, reopen
claims). Recording a bank transfer or voucher is a form on the payout's own page (its inspect view).

Who may do what is one check, by permission, through the Payout and PaymentRun permission policies:
`payouts.view_payout` to look, `payouts.change_payout` to act, `payouts.add_paymentrun` to make runs
(Coordinators have them; nobody else does). The services refuse a coordinator paying themselves.
"""

import datetime

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.generic import View
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from payments.models import InvolvementClaim
from portal.http import parse_id

from . import services, stripe_gateway
from .filters import PayableClaimFilter
from .forms import ManualPaymentForm, ReversalForm
from .models import PaymentHold, PaymentRun, Payout

DEFAULT_HOLD_REASON = "So that two payments do not reach them in one Universal Credit assessment period"


class PayoutPermissionMixin(PermissionCheckedMixin):
    model = Payout
    permission_required = "change"


class PayoutActionView(PayoutPermissionMixin, View):
    """POST only: runs one service on the payout, says what happened, and goes back to its page."""

    http_method_names = ["post"]

    def post(self, request, pk):
        payout = get_object_or_404(Payout, pk=pk)
        try:
            message = self.act(request, payout)
        except (services.PayoutError, stripe_gateway.StripeNotConfigured) as exc:
            messages.error(request, str(exc))
        else:
            level, text = message
            getattr(messages, level)(request, text)
        return redirect("payouts_admin:inspect", pk)


class SendView(PayoutActionView):
    def act(self, request, payout):
        result = services.send_stripe_transfer(payout, actor=request.user)
        if result.status == Payout.Status.PAID:
            return "success", f"Paid £{result.amount} through Stripe ({result.stripe_transfer_id})."
        if result.status == Payout.Status.FAILED:
            return "error", f"Stripe refused the transfer: {result.failure_reason} You can retry."
        if result.status == Payout.Status.PROCESSING:
            return "warning", f"{result.failure_reason} The payout stays processing; retry is safe."
        return "info", f"This payout is {result.get_status_display().lower()}: nothing was sent."


class CloseView(PayoutActionView):
    def act(self, request, payout):
        services.close_without_payment(payout, actor=request.user)
        return "success", "Closed without payment; the claims are marked as declined."


class CancelView(PayoutActionView):
    def act(self, request, payout):
        services.cancel_payout(payout, actor=request.user, reason=request.POST.get("reason", ""))
        return "success", "Payout cancelled; its claims are approved and can be paid in another run."


class ReopenView(PayoutActionView):
    def act(self, request, payout):
        ids = [pk for pk in map(parse_id, request.POST.getlist("claims")) if pk is not None]
        services.reopen_claims(payout, claim_ids=ids, actor=request.user)
        return "success", "Reopened: the claims are approved and can be paid in another run."


class ReverseView(PayoutPermissionMixin, View):
    """Money that came back from a bank transfer or voucher; errors re-show the payout with the form."""

    http_method_names = ["post"]
    inspect_view = None  # set by the viewset: the payout page, to re-show a form with its errors

    def post(self, request, pk):
        payout = get_object_or_404(Payout, pk=pk)
        form = ReversalForm(request.POST)
        if form.is_valid():
            try:
                services.record_reversal(payout, actor=request.user, **form.cleaned_data)
            except services.PayoutError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Recorded. Coordinators have been told.")
                return redirect("payouts_admin:inspect", pk)
        return self.inspect_view(request, pk=pk, reversal_form=form)


def parse_planned_on(value):
    """The planned payment date typed on the run's confirmation: a date from today on, None when empty,
    False when it is not one."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return day if day >= timezone.localdate() else False


class PaymentRunView(PermissionCheckedMixin, View):
    """Choose approved claims (filtered), preview the payouts per contributor and method, confirm."""

    model = PaymentRun
    permission_required = "add"
    template_name = "payouts/admin/payment_run.html"

    def context(self, request):
        queryset = services.payable_claims().select_related("contributor")
        filterset = PayableClaimFilter(
            request.GET or None, queryset=queryset.order_by("contributor__last_name", "work_date", "pk")
        )
        claims = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        shown = list(claims[:500])
        holds = {
            hold.claim_id: hold
            for hold in PaymentHold.objects.filter(
                ended_at__isnull=True, claim_id__in=[c.pk for c in shown]
            ).select_related("held_by")
        }
        for claim in shown:
            claim.open_hold = holds.get(claim.pk)
        return {
            "filter": filterset,
            "claims": shown,
            "claim_total": claims.count(),
            "held_total": len(holds),
            "default_hold_reason": DEFAULT_HOLD_REASON,
        }

    def get(self, request):
        return TemplateResponse(request, self.template_name, self.context(request))

    def post(self, request):
        context = self.context(request)
        ids = [pk for pk in map(parse_id, request.POST.getlist("claims")) if pk is not None]
        if not ids:
            messages.error(request, "Choose at least one approved claim to pay.")
            return TemplateResponse(request, self.template_name, context, status=400)
        planned_on = parse_planned_on(request.POST.get("planned_on", ""))
        if planned_on is False:
            messages.error(
                request, "Give the planned payment date as a date from today on, or leave it empty."
            )
            return redirect("payouts_admin:run")
        if request.POST.get("action") != "confirm":
            plans, skipped = services.preview_run(
                InvolvementClaim.objects.filter(pk__in=ids), actor=request.user
            )
            services.run_warnings(plans, planned_on=planned_on)
            context.update(
                plans=plans,
                skipped=skipped,
                chosen_ids=ids,
                preview=True,
                planned_on=planned_on,
                warned=sum(1 for p in plans if p["benefit_warnings"]),
                grand_total=sum(p["total"] for p in plans),
            )
            return TemplateResponse(request, self.template_name, context)
        # Holding a person's payment leaves all their chosen claims out of this run, recorded.
        hold_people = [pk for pk in map(parse_id, request.POST.getlist("hold")) if pk is not None]
        hold_ids = list(
            InvolvementClaim.objects.filter(pk__in=ids, contributor_id__in=hold_people).values_list(
                "pk", flat=True
            )
        )
        try:
            run, skipped = services.create_run(
                actor=request.user,
                claim_ids=ids,
                note=request.POST.get("note", ""),
                planned_on=planned_on,
                hold_ids=hold_ids,
                hold_reason=request.POST.get("hold_reason", "")[:300] or DEFAULT_HOLD_REASON,
            )
        except services.PayoutError as exc:
            messages.error(request, str(exc))
            return redirect("payouts_admin:run")
        for pk, reason in skipped:
            messages.warning(request, f"Claim {getattr(pk, 'pk', pk)} left out: {reason}")
        if run is None:
            if hold_ids:
                messages.info(
                    request, "No run was made: every chosen claim was held. The holds are recorded."
                )
            else:
                messages.error(
                    request, "Nothing was paid: every chosen claim is already in a payout or not approved."
                )
            return redirect("payouts_admin:run")
        messages.success(request, f"Payment run {run.pk} created with {run.payouts.count()} payout(s).")
        return redirect("payment_runs:inspect", run.pk)


class PayClaimView(PayoutPermissionMixin, View):
    """One approved claim paid by a bank transfer or voucher outside the portal: a payout of one."""

    http_method_names = ["post"]

    def post(self, request, claim_id):
        claim = get_object_or_404(InvolvementClaim, pk=claim_id)
        form = ManualPaymentForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        else:
            try:
                payout = services.pay_claim_by_hand(claim, actor=request.user, **form.cleaned_data)
            except services.PayoutError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    f"Paid £{payout.amount} by {payout.get_method_display().lower()} (payout {payout.pk}).",
                )
        return redirect("payments_claims:inspect", claim.pk)
