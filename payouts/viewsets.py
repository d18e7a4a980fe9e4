"""The payouts admin in Wagtail's one style: a ModelViewSet for payouts (filters, export, the payout's
page with its actions, History) and one for payment runs. Payouts are never added, edited or deleted
here: every change goes through `payouts.services`, so there are no create, edit, copy or delete views,
and the actions are the view classes in `payouts.admin_views`, registered under the payouts prefix."""

import datetime

from django.contrib import messages
from django.contrib.auth.models import Permission
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from payments.calculation import pounds
from portal import audit
from portal.admin_links import viewing_url_finder
from portal.http import parse_id

from . import admin_views, services, stripe_gateway
from .filters import PayoutFilterSet
from .forms import ManualPaymentForm, ReversalForm
from .models import PaymentRun, Payout

Status = Payout.Status
Method = Payout.Method
NEEDS_ATTENTION = [Status.FAILED, Status.PROCESSING, Status.PARTIALLY_REVERSED, Status.REVERSED]


class PayoutIndexView(IndexView):
    template_name = "payouts/admin/payout_index.html"

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("contributor", "run")
            .annotate(claim_count=Count("items"))
        )

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm("payouts.add_paymentrun"):
            buttons.append(HeaderButton("New payment run", url=self.run_url, icon_name="plus"))
        return buttons

    @property
    def run_url(self):
        return reverse("payouts_admin:run")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attention"] = Payout.objects.filter(status__in=NEEDS_ATTENTION).count()
        context["totals"] = [
            {
                **row,
                "method_label": Method(row["method"]).label,
                "status_label": Status(row["status"]).label,
                "total": pounds(row["total"] or 0),
            }
            for row in Payout.objects.values("method", "status")
            .annotate(total=Sum("amount"), n=Count("pk"))
            .order_by("method", "status")
        ]
        context["stripe_test_mode"] = stripe_gateway.is_configured() and stripe_gateway.is_test_mode()
        return context

    def as_spreadsheet(self, queryset, spreadsheet_format):
        response = super().as_spreadsheet(queryset, spreadsheet_format)
        response["Cache-Control"] = "private, no-store"
        return response


class PayoutInspectView(InspectView):
    """The payout's page: its claims, every payment and reversal with amounts, history, and its actions.
    The bank transfer / voucher form is posted here, so a form with errors is shown again as typed."""

    template_name = "payouts/admin/payout_inspect.html"

    def get_object(self, queryset=None):
        pk = parse_id(str(self.pk))
        if pk is None:
            raise Http404
        return get_object_or_404(Payout.objects.select_related("contributor", "run"), pk=pk)

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("payouts.change_payout"):
            return (
                self.handle_permission_denied()
                if hasattr(self, "handle_permission_denied")
                else redirect("wagtailadmin_home")
            )
        self.object = self.get_object()
        form = ManualPaymentForm(request.POST)
        if form.is_valid():
            try:
                services.record_manual_payment(self.object, actor=request.user, **form.cleaned_data)
            except services.PayoutError as exc:
                form.add_error(None, str(exc))
            else:
                told = (
                    "the contributor has been told."
                    if self.object.contributor.email
                    else "they have no e-mail address, so tell them by phone or post."
                )
                messages.success(request, f"Payment recorded; {told}")
                return redirect("payouts_admin:inspect", self.object.pk)
        context = self.get_context_data(payment_form=form)
        return self.render_to_response(context, status=400)

    def get(self, request, *args, **kwargs):
        reversal_form = kwargs.pop("reversal_form", None)
        if reversal_form is not None:
            self.object = self.get_object()
            return self.render_to_response(self.get_context_data(reversal_form=reversal_form), status=400)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, payment_form=None, reversal_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        payout = self.object
        reversed_total = services.reversed_total(payout)
        unallocated = services.unallocated_reversal(payout)
        items = list(payout.items.select_related("claim"))
        reopenable = [i for i in items if i.released_at is None and i.amount <= unallocated]
        can_change = self.request.user.has_perm("payouts.change_payout")
        method = (
            payout.method if payout.method in (Method.BANK_TRANSFER, Method.VOUCHER) else Method.BANK_TRANSFER
        )
        context.update(
            payout=payout,
            items=items,
            events=audit.trail(payout),
            reversals=payout.reversals.select_related("actor"),
            reversed_total=reversed_total,
            net_paid=payout.amount - reversed_total,
            unallocated=unallocated,
            reopenable=reopenable,
            form=payment_form
            or ManualPaymentForm(initial={"paid_on": datetime.date.today(), "method": method}),
            reversal_form=reversal_form or ReversalForm(initial={"on": datetime.date.today()}),
            can_send=can_change and payout.method == Method.STRIPE and payout.is_open,
            can_record=can_change
            and payout.status in (Status.PENDING, Status.FAILED)
            and payout.method in (Method.BANK_TRANSFER, Method.VOUCHER, Method.STRIPE),
            can_close=can_change
            and payout.method in Method.without_money()
            and payout.status == Status.PENDING,
            can_cancel=can_change and payout.status in (Status.PENDING, Status.FAILED),
            can_reverse=can_change
            and payout.status in (Status.PAID, Status.PARTIALLY_REVERSED)
            and payout.method in (Method.BANK_TRANSFER, Method.VOUCHER),
            can_reopen=can_change and payout.status == Status.PARTIALLY_REVERSED and bool(reopenable),
            stripe_configured=stripe_gateway.is_configured(),
        )
        return context


class ReadOnlyViewSet(ModelViewSet):
    """No add, edit, copy or delete: changes go through the services."""

    copy_view_enabled = False
    inspect_view_enabled = True
    add_to_reference_index = False
    # Required by ModelViewSet, though the add and edit views are never routed (see get_urlpatterns).
    exclude_form_fields = []

    @property
    def url_finder_class(self):
        # No edit view: links from elsewhere in the admin (the site history report, for one) go to the
        # inspect view.
        return viewing_url_finder(self.get_url_name("inspect"))

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "edit_url_name": None, "delete_url_name": None, **kwargs}
        )


class PayoutViewSet(ReadOnlyViewSet):
    model = Payout
    icon = "tasks"
    menu_label = "Payouts"
    menu_order = 310
    add_to_admin_menu = True
    url_prefix = "payouts"
    index_view_class = PayoutIndexView
    inspect_view_class = PayoutInspectView
    filterset_class = PayoutFilterSet
    search_fields = ["contributor__email", "contributor__first_name", "contributor__last_name", "reference"]
    ordering = ["-created_at", "-pk"]
    list_display = [
        Column("__str__", label="Payout", accessor="pk"),
        "contributor",
        Column("method", label="Method", accessor="get_method_display"),
        Column("claim_count", label="Claims"),
        "amount",
        Column("status", label="Status", accessor="get_status_display"),
        "run",
    ]
    list_export = [
        "pk",
        "run_id",
        "contributor",
        "get_method_display",
        "get_status_display",
        "fee_amount",
        "expenses_amount",
        "amount",
        "paid_on",
        "reference",
        "stripe_transfer_id",
        "created_at",
    ]
    export_headings = {
        "pk": "Payout",
        "run_id": "Payment run",
        "contributor": "Contributor",
        "get_method_display": "Method",
        "get_status_display": "Status",
        "fee_amount": "Fees",
        "expenses_amount": "Expenses",
        "amount": "Amount",
        "paid_on": "Paid on",
        "reference": "Reference",
        "stripe_transfer_id": "Stripe transfer",
        "created_at": "Created",
    }
    export_filename = "payouts"

    def get_permissions_to_register(self):
        return Permission.objects.filter(
            content_type__app_label="payouts",
            codename__in=["view_payout", "change_payout", "view_paymentrun", "add_paymentrun"],
        )

    def get_urlpatterns(self):
        keep = {"index", "index_results", "inspect", "history", "history_results"}
        reverse_view = admin_views.ReverseView.as_view(inspect_view=self.inspect_view)
        return [
            *(p for p in super().get_urlpatterns() if p.name in keep),
            path("run/", admin_views.PaymentRunView.as_view(), name="run"),
            path("<int:pk>/send/", admin_views.SendView.as_view(), name="send"),
            path("<int:pk>/close/", admin_views.CloseView.as_view(), name="close"),
            path("<int:pk>/cancel/", admin_views.CancelView.as_view(), name="cancel"),
            path("<int:pk>/reverse/", reverse_view, name="reverse"),
            path("<int:pk>/reopen/", admin_views.ReopenView.as_view(), name="reopen"),
            path("claims/<int:claim_id>/pay/", admin_views.PayClaimView.as_view(), name="pay_claim"),
        ]


class PaymentRunInspectView(InspectView):
    template_name = "payouts/admin/run_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["payouts"] = self.object.payouts.select_related("contributor").annotate(
            claim_count=Count("items")
        )
        context["holds"] = self.object.holds.select_related("claim__contributor", "held_by")
        return context


class PaymentRunViewSet(ReadOnlyViewSet):
    model = PaymentRun
    icon = "tasks"
    menu_label = "Payment runs"
    url_prefix = "payment-runs"
    inspect_view_class = PaymentRunInspectView
    list_display = [
        Column("__str__", label="Run"),
        "created_by",
        DateColumn("created_at", label="Created"),
        "note",
    ]
    ordering = ["-created_at", "-pk"]

    def get_permissions_to_register(self):
        return Permission.objects.none()  # registered with the payouts viewset

    def get_urlpatterns(self):
        keep = {"index", "index_results", "inspect", "history", "history_results"}
        return [p for p in super().get_urlpatterns() if p.name in keep]


payout_viewset = PayoutViewSet("payouts_admin")
run_viewset = PaymentRunViewSet("payment_runs")
viewsets = [payout_viewset, run_viewset]
