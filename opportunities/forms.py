"""The expression of interest (no account needed) and the change form behind the signed link.

Role-specific questions come from the opportunity's `questions` StreamField: each becomes a field
named `question_<n>`. Equality monitoring is optional, in its own group, and never stored with the
application (see models.EqualityMonitoring)."""

from django import forms

from .choices import MONITORING_QUESTIONS, ContactPreference

NAME_MAX = 200
TEXT_MAX = 4000


def _text_area(rows=4):
    return forms.Textarea(attrs={"rows": rows})


class ApplicationForm(forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX, label="Your name", widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We send a confirmation here, with a link to see, change or withdraw your application.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        required=False,
        max_length=40,
        label="Phone (optional)",
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    postal_address = forms.CharField(
        required=False,
        max_length=1000,
        label="Postal address (optional)",
        help_text="Only if you would like letters by post.",
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    preferred_contact = forms.ChoiceField(
        choices=ContactPreference.choices,
        initial=ContactPreference.EMAIL,
        widget=forms.RadioSelect,
        label="How should we contact you?",
    )
    access_needs = forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        widget=_text_area(3),
        label="Access needs (optional)",
        help_text="For example large print, a BSL interpreter, step-free access, breaks. Only coordinators see this.",
    )
    support_needed = forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        widget=_text_area(3),
        label="Support you need to take part (optional)",
        help_text="For example help with travel, a carer or PA, a device or data for online meetings.",
    )
    consent_to_contact = forms.BooleanField(
        label="You may contact me about this opportunity",
        help_text="We only use your details for this opportunity, and delete access information once it is decided.",
        error_messages={"required": "Tick the box so we can contact you about your application."},
    )
    # A field people never see: bots that fill every input give themselves away.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, opportunity, change=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.opportunity = opportunity
        self.change = change
        for n, question in enumerate(opportunity.question_list()):
            self.fields[f"question_{n}"] = self._question_field(question)
        if change:
            for name in ("email", "website", "consent_to_contact"):
                del self.fields[name]
        else:
            for name, (label, choices) in MONITORING_QUESTIONS.items():
                self.fields[f"eq_{name}"] = forms.ChoiceField(
                    required=False,
                    choices=[("", "Choose (optional)"), *choices.choices],
                    label=label,
                )

    @staticmethod
    def _question_field(question):
        kind = question.get("kind")
        common = {
            "label": question["question"] + ("" if question.get("required") else " (optional)"),
            "help_text": question.get("help_text") or "",
            "required": bool(question.get("required")),
        }
        if kind == "yes_no":
            return forms.ChoiceField(
                choices=[("Yes", "Yes"), ("No", "No")], widget=forms.RadioSelect, **common
            )
        if kind == "short":
            return forms.CharField(max_length=300, **common)
        return forms.CharField(max_length=TEXT_MAX, widget=_text_area(), **common)

    # Groups for the template -------------------------------------------------------------------
    def contact_fields(self):
        names = ["name", "email", "phone", "postal_address", "preferred_contact"]
        return [self[name] for name in names if name in self.fields]

    def question_fields(self):
        return [self[name] for name in self.fields if name.startswith("question_")]

    def monitoring_fields(self):
        return [self[name] for name in self.fields if name.startswith("eq_")]

    # Cleaning ------------------------------------------------------------------------------------
    def clean(self):
        cleaned = super().clean()
        for name in ("name", "phone", "postal_address", "access_needs", "support_needed"):
            if isinstance(cleaned.get(name), str):
                cleaned[name] = cleaned[name].strip()
        preference = cleaned.get("preferred_contact")
        if preference == ContactPreference.PHONE and not cleaned.get("phone"):
            self.add_error("phone", "Give a phone number, or choose another way for us to contact you.")
        if preference == ContactPreference.POST and not cleaned.get("postal_address"):
            self.add_error(
                "postal_address", "Give a postal address, or choose another way for us to contact you."
            )
        if "name" in self.fields and cleaned.get("name") == "" and "name" not in self.errors:
            self.add_error("name", "Enter your name.")
        return cleaned

    def application_data(self):
        """What the services store: the contact details, answers (with their questions) and needs."""
        c = self.cleaned_data
        data = {
            name: c.get(name, "")
            for name in (
                "name",
                "phone",
                "postal_address",
                "preferred_contact",
                "access_needs",
                "support_needed",
            )
        }
        if not self.change:
            data["email"] = c["email"]
            data["consent_to_contact"] = bool(c.get("consent_to_contact"))
            data["website"] = c.get("website", "")
            data["monitoring"] = {
                name: c.get(f"eq_{name}", "") for name in MONITORING_QUESTIONS if c.get(f"eq_{name}")
            }
        data["answers"] = [
            {"question": question["question"], "answer": (c.get(f"question_{n}") or "").strip()}
            for n, question in enumerate(self.opportunity.question_list())
        ]
        return data

    @classmethod
    def initial_for(cls, application):
        initial = {
            name: getattr(application, name)
            for name in (
                "name",
                "phone",
                "postal_address",
                "preferred_contact",
                "access_needs",
                "support_needed",
            )
        }
        asked = {item.get("question"): item.get("answer", "") for item in application.answers or []}
        for n, question in enumerate(application.opportunity.question_list()):
            initial[f"question_{n}"] = asked.get(question["question"], "")
        return initial
