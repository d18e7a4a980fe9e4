from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from wagtail import hooks

from accounts.models import CONTRIBUTORS
from portal.uploads import check_upload

from .models import (
    ActivityType,
    ClaimExpense,
    ContributorProfile,
    EnteredFrom,
    ExpenseCategory,
    Involvement,
)

# What a receipt may be: its extension and the type its first bytes show must agree, so a web page
# or a program renamed to look like a receipt is refused (the download is sent with the type the
# name implies, and a coordinator opens it).
RECEIPT_TYPES = {
    ".pdf": {"application/pdf"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".png": {"image/png", "image/apng"},
    ".heic": {"image/heic"},
    ".webp": {"image/webp"},
}
RECEIPT_MAX_BYTES = 10 * 1024 * 1024


class ClaimForm(forms.Form):
    """What a contributor records. Time is asked in hours and minutes, the way people think of it."""

    work_date = forms.DateField(
        label="Date of the work",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day you did the work. The rate in force on that day is used.",
    )
    activity_type = forms.ChoiceField(label="What you did", choices=ActivityType.choices)
    hours = forms.IntegerField(label="Hours", min_value=0, max_value=24, initial=0)
    minutes = forms.IntegerField(label="Minutes", min_value=0, max_value=59, initial=0, required=False)
    preparation_hours = forms.IntegerField(
        label="Preparation hours", min_value=0, max_value=24, initial=0, required=False
    )
    preparation_minutes = forms.IntegerField(
        label="Preparation minutes", min_value=0, max_value=59, initial=0, required=False
    )
    project = forms.CharField(label="Project or event", max_length=200)
    involvement = forms.ModelChoiceField(
        label="Your role (optional)",
        queryset=Involvement.objects.none(),
        required=False,
        empty_label="Not part of a role",
        help_text="The role this work was part of, so it counts towards that piece of work.",
    )
    notes = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        roles = Involvement.objects.filter(person=user).order_by("-start_date", "-pk") if user else None
        if roles is None or not roles.exists():
            del self.fields["involvement"]  # nothing to choose from
        else:
            self.fields["involvement"].queryset = roles

    @classmethod
    def initial_for(cls, claim):
        hours, minutes = divmod(claim.duration_minutes, 60)
        prep_hours, prep_minutes = divmod(claim.preparation_minutes, 60)
        return {
            "work_date": claim.work_date,
            "activity_type": claim.activity_type,
            "hours": hours,
            "minutes": minutes,
            "preparation_hours": prep_hours,
            "preparation_minutes": prep_minutes,
            "project": claim.project,
            "involvement": claim.involvement_id,
            "notes": claim.notes,
        }

    def clean_work_date(self):
        day = self.cleaned_data["work_date"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future. Claim once the work is done.")
        return day

    def clean(self):
        cleaned = super().clean()
        for name in ("minutes", "preparation_hours", "preparation_minutes"):
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = 0
        hours, minutes = cleaned.get("hours"), cleaned.get("minutes")
        if hours is not None and minutes is not None:
            total = hours * 60 + minutes
            if total <= 0:
                self.add_error("hours", "Enter the time you gave: more than zero minutes.")
            elif total > 24 * 60:
                self.add_error("hours", "A claim cannot be for more than 24 hours in one day.")
        return cleaned

    def claim_data(self):
        c = self.cleaned_data
        return {
            "work_date": c["work_date"],
            "activity_type": c["activity_type"],
            "duration_minutes": c["hours"] * 60 + c["minutes"],
            "preparation_minutes": c["preparation_hours"] * 60 + c["preparation_minutes"],
            "project": c["project"].strip(),
            "involvement": c.get("involvement"),
            "notes": c["notes"].strip(),
        }


class ExpenseForm(forms.ModelForm):
    class Meta:
        model = ClaimExpense
        fields = ["category", "description", "amount", "miles", "receipt", "no_receipt_reason"]
        labels = {
            "category": "Kind of expense",
            "description": "What it was for (optional)",
            "amount": "Amount in pounds",
            "miles": "Miles (for mileage only)",
            "receipt": "Receipt (PDF or photo)",
            "no_receipt_reason": "If you have no receipt, tell us why",
        }
        widgets = {"no_receipt_reason": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"amount": "Leave at 0 for mileage: it is worked out from the miles."}

    def __init__(self, *args, receipt_limit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.receipt_limit = receipt_limit
        self.fields["category"].choices = ExpenseCategory.choices
        self.fields["amount"].required = False
        if receipt_limit is not None:
            self.fields[
                "receipt"
            ].help_text = (
                f"The payment policy asks for a receipt for anything over £{receipt_limit} (not mileage)."
            )
            self.fields[
                "no_receipt_reason"
            ].help_text = f"Only for an amount over £{receipt_limit} with no receipt. A coordinator reads it."

    def clean_receipt(self):
        receipt = self.cleaned_data.get("receipt")
        if receipt and hasattr(receipt, "size"):
            check_upload(
                receipt,
                allowed=RECEIPT_TYPES,
                max_bytes=RECEIPT_MAX_BYTES,
                what="receipt",
                described_as="a PDF or a photo (JPEG, PNG, HEIC or WebP)",
            )
        return receipt

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("category") == ExpenseCategory.MILEAGE and not cleaned.get("miles"):
            self.add_error("miles", "Give the number of miles.")
        if (
            cleaned.get("category")
            and cleaned.get("category") != ExpenseCategory.MILEAGE
            and not cleaned.get("amount")
        ):
            self.add_error("amount", "Give the amount you spent.")
        amount, limit = cleaned.get("amount"), self.receipt_limit
        if (
            limit is not None
            and amount is not None
            and amount > limit
            and cleaned.get("category") != ExpenseCategory.MILEAGE
            and not cleaned.get("receipt")
            and not (cleaned.get("no_receipt_reason") or "").strip()
        ):
            self.add_error(
                "receipt",
                f"The payment policy asks for a receipt for expenses over £{limit}. Add the receipt, or tell "
                "us below why there is none.",
            )
        return cleaned


class ProfileForm(forms.ModelForm):
    class Meta:
        model = ContributorProfile
        fields = [
            "display_name",
            "payment_preference",
            "charity_name",
            "lower_amount",
            "weekly_limit",
            "monthly_limit",
            "tax_year_limit",
            "uc_assessment_start_day",
            "uc_work_allowance",
            "esa_permitted_work_limit",
        ]
        labels = {
            "display_name": "Your name as shown to coordinators",
            "payment_preference": "How would you like to be paid?",
            "charity_name": "Charity (if you chose to donate)",
            "lower_amount": "Amount per claim in pounds (if you chose a lower amount)",
            "weekly_limit": "Warn me above this much a week (optional)",
            "monthly_limit": "Warn me above this much a month (optional)",
            "tax_year_limit": "Warn me above this much a tax year (optional)",
        }
        help_texts = {
            "weekly_limit": "For example a benefit's permitted-work limit. We only warn you; we never stop a claim.",
        }
        widgets = {"payment_preference": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["uc_work_allowance"].choices = [("", "None, or I do not know")] + [
            c for c in self.fields["uc_work_allowance"].choices if c[0]
        ]
        self.fields["esa_permitted_work_limit"].choices = [("", "I do not get ESA")] + [
            c for c in self.fields["esa_permitted_work_limit"].choices if c[0]
        ]
        # Only the ways that work on this site (Stripe only when it is set up: the payouts app says,
        # through the `unavailable_payment_preferences` hook); never a ready-made choice.
        unavailable = {value for fn in hooks.get_hooks("unavailable_payment_preferences") for value in fn()}
        current = self.instance.payment_preference
        field = self.fields["payment_preference"]
        field.required = True
        field.error_messages["required"] = (
            "Choose how you would like to be paid, or that you do not want to be."
        )
        field.choices = [
            (value, label)
            for value, label in ContributorProfile.PaymentPreference.choices
            if value not in unavailable or value == current
        ]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason (the contributor will read this)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class OnBehalfClaimForm(ClaimForm):
    """A claim a coordinator enters for someone, from a signed sheet or a call: the contributor's own
    claim form, plus who it is for, where it came from and how the person agreed."""

    contributor = forms.ModelChoiceField(
        label="Contributor",
        queryset=get_user_model().objects.none(),
        help_text="The person the claim is for. People without e-mail are listed too.",
    )
    entered_from = forms.ChoiceField(
        label="Where the claim came from", choices=EnteredFrom.choices, widget=forms.RadioSelect
    )
    agreement = forms.CharField(
        label="How the person agreed to this claim",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="For example: signed sheet dated 3 March, filed; agreed on the phone on 4 March.",
    )

    field_order = ["contributor", "entered_from", "agreement"]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, user=None, **kwargs)
        # Contributors: anyone with a contributor profile (people without e-mail always have one) or in the
        # Contributors group.
        people = (
            get_user_model()
            .objects.filter(
                Q(contributor_profile__isnull=False) | Q(groups__name=CONTRIBUTORS), is_active=True
            )
            .distinct()
        )
        if actor is not None:
            people = people.exclude(pk=actor.pk)
        self.fields["contributor"].queryset = people.order_by("last_name", "first_name", "pk")
        self.fields["work_date"].label = "Date of the work"
        self.fields[
            "work_date"
        ].help_text = "The day the work was done. The rate in force on that day is used."


class OnBehalfExpenseForm(ExpenseForm):
    """One expense from the sheet; left untouched, it is ignored."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].required = False
        self.fields["category"].choices = [("", "No expense")] + list(ExpenseCategory.choices)
        self.fields["no_receipt_reason"].label = "If there is no receipt, why (e.g. paper receipt filed)"

    def expense_data(self):
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


OnBehalfExpenseFormSet = forms.formset_factory(OnBehalfExpenseForm, extra=3, max_num=10)


class OfflineContributorForm(forms.Form):
    """A contributor who has no e-mail address, recorded by a coordinator."""

    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    phone = forms.CharField(label="Phone number (optional)", max_length=40, required=False)
    postal_address = forms.CharField(
        label="Postal address (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    consent_how = forms.CharField(
        label="How they agreed to us keeping their phone number and address",
        max_length=200,
        required=False,
        help_text="Needed only if you enter a phone number or address. For example: signed form; on the phone.",
    )
    consent_on = forms.DateField(
        label="Date they agreed",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    payment_preference = forms.ChoiceField(
        label="How they would like to be paid",
        required=False,
        choices=[("", "Not chosen yet (bank transfer arranged with them)")]
        + [
            c
            for c in ContributorProfile.PaymentPreference.choices
            if c[0] != ContributorProfile.PaymentPreference.STRIPE
        ],
    )

    def clean_consent_on(self):
        day = self.cleaned_data.get("consent_on")
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError("The date they agreed cannot be in the future.")
        return day

    def clean(self):
        cleaned = super().clean()
        kept = (cleaned.get("phone") or "").strip() or (cleaned.get("postal_address") or "").strip()
        if kept and not (cleaned.get("consent_how") or "").strip():
            self.add_error("consent_how", "Say how they agreed to us keeping their phone number or address.")
        if kept and not cleaned.get("consent_on") and "consent_on" not in self.errors:
            self.add_error("consent_on", "Give the date they agreed.")
        return cleaned
