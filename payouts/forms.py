"""Coordinators' forms for paying and for money that came back."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from .models import Payout


class ManualPaymentForm(forms.Form):
    method = forms.ChoiceField(
        choices=[(Payout.Method.BANK_TRANSFER, "Bank transfer"), (Payout.Method.VOUCHER, "Voucher")],
        label="Paid by",
    )
    paid_on = forms.DateField(
        label="Date paid", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reference = forms.CharField(max_length=120, label="Bank reference or voucher code reference")
    voucher_provider = forms.CharField(
        max_length=120, required=False, label="Voucher provider (vouchers only)"
    )


class ReversalForm(forms.Form):
    amount = forms.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), label="Amount that came back (£)"
    )
    on = forms.DateField(
        label="Day it came back", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reference = forms.CharField(max_length=120, label="Bank or voucher reference")
    note = forms.CharField(max_length=300, required=False, label="Note")

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The day cannot be in the future.")
        return day
