"""Contributors' "My involvement" pages. Every view here shows or changes only the signed-in person's
own claims: someone else's claim is a 404, never a 403, so claim numbers reveal nothing.

Receipts are the exception: their owner and coordinators may download them (receipt_download)."""

import mimetypes
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from wagtail import hooks

from portal import audit
from portal.exports import csv_response

from . import benefits, claim_rules, expenses, limits, reports, services
from . import tax_year as uk_tax_year
from .expectations import expected_decision, expected_next, expected_payment
from .forms import ClaimForm, ExpenseForm, ProfileForm
from .models import ClaimExpense, ContributorProfile, InvolvementClaim

Status = InvolvementClaim.Status


def contributor_required(view):
    """Signed in (else the sign-in page) and in the Contributors group (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_contributor:
            raise PermissionDenied("My involvement is for contributors.")
        return view(request, *args, **kwargs)

    return wrapped


def own_claim(request, pk):
    return get_object_or_404(
        InvolvementClaim.objects.select_related("policy_version__policy_page", "involvement"),
        pk=pk,
        contributor=request.user,
    )


def profile_for(user):
    profile = ContributorProfile.objects.filter(user=user).first()
    return profile


def _overview(request, *, status=200):
    claims = (
        InvolvementClaim.objects.filter(contributor=request.user)
        .only(
            "pk",
            "work_date",
            "activity_type",
            "project",
            "duration_minutes",
            "status",
            "total_amount",
            "fee_amount",
            "expenses_amount",
            "submitted_at",
            "decided_at",
            "paid_at",
            "policy_version__pay_within_days",
        )
        .select_related("policy_version")
        .order_by("-work_date", "-pk")
    )
    claims = list(claims)
    for claim in claims:
        claim.expected = expected_next(claim)
    return render(
        request,
        "payments/my_involvement.html",
        {
            "claims": claims,
            "tax_years": reports.contributor_tax_years(request.user),
            "profile": profile_for(request.user),
            # What other apps add (payouts: the latest payments), through the `my_involvement_sections` hook.
            "sections": [
                section
                for section in (fn(request) for fn in hooks.get_hooks("my_involvement_sections"))
                if section
            ],
        },
        status=status,
    )


@contributor_required
def my_involvement(request):
    return _overview(request)


def _claim_form_page(request, *, claim=None):
    initial = ClaimForm.initial_for(claim) if claim else {}
    form = ClaimForm(request.POST or None, initial=initial, user=request.user)
    preview = None
    warnings = []
    if request.method == "POST" and form.is_valid():
        data = form.claim_data()
        try:
            if request.POST.get("action") == "preview":
                candidate = InvolvementClaim(contributor=request.user, pk=claim.pk if claim else None, **data)
                expenses = list(claim.expenses.all()) if claim else []
                _version, preview = claim_rules.preview(candidate, expenses)
                candidate.fee_amount = preview.fee
                warnings = limits.limit_warnings(candidate)
            elif claim is None:
                claim = services.create_draft(contributor=request.user, data=data)
                messages.success(request, "Your claim is saved as a draft. Check it, then submit it.")
                return redirect("payments:claim_detail", pk=claim.pk)
            else:
                services.edit_claim(claim, actor=request.user, data=data)
                messages.success(request, "Your changes are saved.")
                return redirect("payments:claim_detail", pk=claim.pk)
        except services.ClaimError as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "payments/claim_form.html",
        {"form": form, "claim": claim, "preview": preview, "warnings": warnings},
    )


@contributor_required
def claim_create(request):
    return _claim_form_page(request)


@contributor_required
def claim_edit(request, pk):
    claim = own_claim(request, pk)
    if claim.status not in (Status.DRAFT, Status.SUBMITTED):
        messages.error(
            request, f"This claim is {claim.get_status_display().lower()}, so it cannot be changed."
        )
        return redirect("payments:claim_detail", pk=claim.pk)
    return _claim_form_page(request, claim=claim)


@contributor_required
def _claim_page(request, claim, *, expense_form=None, warnings=(), status=200):
    editable = claim.status in (Status.DRAFT, Status.SUBMITTED)
    if expense_form is None and editable:
        expense_form = ExpenseForm(receipt_limit=expenses.receipt_limit(claim))
    claim_expenses = list(claim.expenses.all())
    return render(
        request,
        "payments/claim_detail.html",
        {
            "claim": claim,
            "expenses": claim_expenses,
            "missing_receipts": [e for e in claim_expenses if claim.needs_receipt(e)],
            "receipt_limit": expenses.receipt_limit(claim),
            "expected": expected_payment(claim),
            "decision": expected_decision(claim),
            "events": audit.trail(claim),
            "editable": editable,
            "expense_form": expense_form if editable else None,
            "warnings": list(warnings),
        },
        status=status,
    )


@contributor_required
def claim_detail(request, pk):
    claim = own_claim(request, pk)
    warnings = limits.limit_warnings(claim) if claim.status == Status.DRAFT else []
    # Benefits count payments by when they are received, so these follow the claim to payment.
    warnings += benefits.claim_warnings(claim)
    return _claim_page(request, claim, warnings=warnings)


def _transition(request, pk, action, done_message):
    claim = own_claim(request, pk)
    try:
        action(claim, actor=request.user)
        messages.success(request, done_message)
    except services.ClaimError as exc:
        messages.error(request, str(exc))
    return redirect("payments:claim_detail", pk=claim.pk)


@require_POST
@contributor_required
def claim_submit(request, pk):
    return _transition(request, pk, services.submit, "Your claim is submitted. A coordinator will check it.")


@require_POST
@contributor_required
def claim_withdraw(request, pk):
    return _transition(request, pk, services.withdraw, "Your claim is withdrawn and back to a draft.")


@require_POST
@contributor_required
def claim_decline(request, pk):
    return _transition(request, pk, services.mark_declined, "You have declined payment for this claim.")


@require_POST
@contributor_required
def expense_add(request, pk):
    claim = own_claim(request, pk)
    form = ExpenseForm(request.POST, request.FILES, receipt_limit=expenses.receipt_limit(claim))
    if form.is_valid():
        try:
            expenses.add_expense(claim, actor=request.user, data=form.cleaned_data)
            messages.success(request, "The expense is added.")
            return redirect("payments:claim_detail", pk=claim.pk)
        except services.ClaimError as exc:
            form.add_error(None, str(exc))
    return _claim_page(request, claim, expense_form=form, status=400)


@require_POST
@contributor_required
def expense_remove(request, pk):
    expense = get_object_or_404(
        ClaimExpense.objects.select_related("claim"), pk=pk, claim__contributor=request.user
    )
    try:
        expenses.remove_expense(expense, actor=request.user)
        messages.success(request, "The expense is removed.")
    except services.ClaimError as exc:
        messages.error(request, str(exc))
    return redirect("payments:claim_detail", pk=expense.claim_id)


@login_required
def receipt_download(request, pk):
    """A receipt, only for the person who claimed it and coordinators; anyone else gets a 404."""
    expense = get_object_or_404(ClaimExpense.objects.select_related("claim"), pk=pk)
    user = request.user
    if not expense.receipt or not (
        expense.claim.contributor_id == user.pk or user.has_perm("payments.view_claimexpense")
    ):
        raise Http404
    try:
        handle = expense.receipt.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = expense.receipt.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@contributor_required
def statement_csv(request):
    claims = (
        InvolvementClaim.objects.filter(contributor=request.user)
        .select_related("policy_version")
        .order_by("work_date", "pk")
    )
    filename = "involvement-statement"
    if request.GET.get("tax_year", "").strip():
        tax_year = uk_tax_year.parse(request.GET["tax_year"])
        if tax_year is None:
            messages.error(
                request,
                "There is no statement for that tax year. Choose one of your tax years below "
                "(a year such as 2025 for 6 April 2025 to 5 April 2026).",
            )
            return _overview(request, status=400)
        start, end = uk_tax_year.bounds(tax_year)
        claims = claims.filter(work_date__gte=start, work_date__lte=end)
        filename += f"-{tax_year}-{tax_year + 1}"
    header = [
        "Date",
        "Activity",
        "Project or event",
        "Minutes",
        "Preparation minutes",
        "Status",
        "Fee (GBP)",
        "Expenses (GBP)",
        "Total (GBP)",
        "Policy version from",
        "Paid on",
    ]
    rows = (
        [
            claim.work_date.isoformat(),
            claim.get_activity_type_display(),
            claim.project,
            claim.duration_minutes,
            claim.preparation_minutes,
            claim.get_status_display(),
            claim.fee_amount,
            claim.expenses_amount,
            claim.total_amount,
            claim.policy_version.effective_from.isoformat() if claim.policy_version else "",
            claim.paid_at.date().isoformat() if claim.paid_at else "",
        ]
        for claim in claims
    )
    return csv_response(f"{filename}.csv", [header, *rows], private=True)


@contributor_required
def profile(request):
    instance = ContributorProfile.objects.filter(user=request.user).first() or ContributorProfile(
        user=request.user, display_name=request.user.get_full_name() or request.user.email
    )
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your choices are saved.")
        return redirect("payments:my_involvement")
    return render(request, "payments/profile.html", {"form": form})
