from django import forms

from .choices import (
    ONLINE_CONTACT_CHOICES,
    AccessMet,
    AccessProvision,
    BookingChannel,
    ContactPreference,
    Rating,
    access_retention_period,
)


class NeedsFieldsMixin(forms.Form):
    brings_carer = forms.BooleanField(
        required=False,
        label="A carer or personal assistant (PA) is coming with me",
        help_text="They take a seat too; there is no charge for them.",
    )
    carer_name = forms.CharField(required=False, max_length=200, label="Your carer's or PA's name (optional)")
    access_needs = forms.MultipleChoiceField(
        required=False,
        choices=AccessProvision.choices,
        widget=forms.CheckboxSelectMultiple,
        label="What do you need to take part?",
        help_text="Tick all that apply. Only the event organisers see this.",
    )
    access_needs_other = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Anything else we should arrange"
    )
    dietary_needs = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Dietary needs"
    )
    consent_to_keep_access_info = forms.BooleanField(
        required=False,
        label="Keep my access information for 90 days after the event, so you can plan follow-up events",
        help_text="If you do not tick this, we delete it the day after the event.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = access_retention_period().days
        self.fields[
            "consent_to_keep_access_info"
        ].label = (
            f"Keep my access information for {days} days after the event, so you can plan follow-up events"
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("brings_carer"):
            cleaned["carer_name"] = ""
        return cleaned


class RegistrationForm(NeedsFieldsMixin):
    name = forms.CharField(
        max_length=200, label="Your name", widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We send your confirmation and a link to change or cancel your place here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        required=False,
        max_length=40,
        label="Phone (optional)",
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    preferred_contact = forms.ChoiceField(
        choices=ONLINE_CONTACT_CHOICES,
        initial=ContactPreference.EMAIL,
        widget=forms.RadioSelect,
        label="How should we contact you?",
    )

    # A field people never see: bots that fill every input give themselves away.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    field_order = [
        "name",
        "email",
        "phone",
        "preferred_contact",
        "brings_carer",
        "carer_name",
        "access_needs",
        "access_needs_other",
        "dietary_needs",
        "consent_to_keep_access_info",
        "website",
    ]

    def __init__(self, *args, event=None, user=None, **kwargs):
        self.event = event
        if user is not None and user.is_authenticated and not args:
            kwargs.setdefault(
                "initial",
                {"name": user.get_full_name(), "email": user.email, "phone": getattr(user, "phone", "")},
            )
        super().__init__(*args, **kwargs)
        # Each form's ids must be unique on the page and stable for the error summary's links.
        self.order_fields(self.field_order)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("preferred_contact") in ("phone", "text") and not cleaned.get("phone"):
            self.add_error("phone", "Give a phone number if you would like us to call or text you.")
        return cleaned


class OnBehalfRegistrationForm(NeedsFieldsMixin):
    """A coordinator books a place for someone who phoned, wrote or came in (`services.register` with
    `entered_by`). E-mail is optional; then a phone number or postal address is needed, with the person's
    agreement that we keep them. The questions speak of "they": the coordinator asks them for the person.
    """

    name = forms.CharField(max_length=200, label="Their name")
    booked_via = forms.ChoiceField(
        label="How did they book?",
        choices=[(v, label) for v, label in BookingChannel.choices if v != BookingChannel.ONLINE],
        initial=BookingChannel.PHONE,
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        required=False,
        label="E-mail address (optional)",
        help_text="Leave empty if they have none: we will then call them or write to them instead.",
    )
    phone = forms.CharField(required=False, max_length=40, label="Phone number")
    postal_address = forms.CharField(
        required=False,
        max_length=500,
        label="Postal address",
        help_text="Needed for letters by post. Include the postcode.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    preferred_contact = forms.ChoiceField(
        choices=ContactPreference.choices,
        initial=ContactPreference.PHONE,
        widget=forms.RadioSelect,
        label="How would they like us to contact them?",
        help_text="If they have an e-mail address, confirmations and reminders go there.",
    )
    consent_to_keep_contact_details = forms.BooleanField(
        required=False,
        label="They agreed that we keep their phone number and postal address to contact them about events",
    )
    told_now = forms.BooleanField(
        required=False,
        label="I have told them whether they have a place or are on the waiting list",
        help_text="Ticked: the call list does not ask anyone to call them about it again. "
        "A letter to post is still made if they asked for letters.",
    )

    field_order = [
        "name",
        "booked_via",
        "email",
        "phone",
        "postal_address",
        "preferred_contact",
        "consent_to_keep_contact_details",
        "brings_carer",
        "carer_name",
        "access_needs",
        "access_needs_other",
        "dietary_needs",
        "consent_to_keep_access_info",
        "told_now",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        labels = {
            "brings_carer": "A carer or personal assistant (PA) is coming with them",
            "carer_name": "Their carer's or PA's name (optional)",
            "access_needs": "What do they need to take part?",
            "access_needs_other": "Anything else we should arrange for them",
        }
        for name, label in labels.items():
            self.fields[name].label = label
        days = access_retention_period().days
        self.fields[
            "consent_to_keep_access_info"
        ].label = f"They agreed that we keep their access information for {days} days after the event"
        self.fields[
            "consent_to_keep_access_info"
        ].help_text = "If not, it is deleted the day after the event."

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        email, phone = cleaned.get("email"), (cleaned.get("phone") or "").strip()
        address = (cleaned.get("postal_address") or "").strip()
        preference = cleaned.get("preferred_contact")
        if "email" in cleaned and not (email or phone or address):
            self.add_error(
                "phone",
                "Give a phone number or a postal address (or an e-mail address) so we can reach them.",
            )
        if preference == ContactPreference.EMAIL and "email" in cleaned and not email:
            self.add_error(
                "preferred_contact", "They have no e-mail address: choose a call, a text or a letter."
            )
        if preference in (ContactPreference.PHONE, ContactPreference.TEXT) and not phone:
            self.add_error("phone", "Give a phone number if they would like us to call or text them.")
        if preference == ContactPreference.POST and not address:
            self.add_error("postal_address", "Give a postal address if they would like letters by post.")
        if (phone or address) and not cleaned.get("consent_to_keep_contact_details"):
            self.add_error(
                "consent_to_keep_contact_details",
                "Ask whether we may keep their phone number and address, and tick this if they agree. "
                "Without it we cannot keep them.",
            )
        return cleaned


class AttendanceSheetForm(forms.Form):
    """One choice per confirmed place, as ticked from the signed sheet: attended, did not come, or not
    recorded yet (left as it is)."""

    CHOICES = [("", "Not recorded"), ("attended", "Attended"), ("no_show", "Did not come")]

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = list(registrations)
        for registration in self.registrations:
            self.fields[f"r{registration.pk}"] = forms.ChoiceField(
                label=registration.name,
                choices=self.CHOICES,
                required=False,
                initial=registration.attendance,
                widget=forms.RadioSelect,
            )

    def rows(self):
        return [(registration, self[f"r{registration.pk}"]) for registration in self.registrations]

    def changes(self):
        """(registration, attendance) for every row ticked differently from what is recorded."""
        return [
            (registration, self.cleaned_data[f"r{registration.pk}"])
            for registration in self.registrations
            if self.cleaned_data.get(f"r{registration.pk}")
            and self.cleaned_data[f"r{registration.pk}"] != registration.attendance
        ]


class ChangeNeedsForm(NeedsFieldsMixin):
    phone = forms.CharField(required=False, max_length=40, label="Phone (optional)")
    preferred_contact = forms.ChoiceField(
        choices=ONLINE_CONTACT_CHOICES,
        widget=forms.RadioSelect,
        label="How should we contact you?",
    )

    @classmethod
    def for_registration(cls, registration, data=None):
        initial = {
            name: getattr(registration, name)
            for name in (
                "brings_carer",
                "carer_name",
                "access_needs",
                "access_needs_other",
                "dietary_needs",
                "consent_to_keep_access_info",
                "phone",
                "preferred_contact",
            )
        }
        return cls(data, initial=initial, prefix="needs")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("preferred_contact") in ("phone", "text") and not cleaned.get("phone"):
            self.add_error("phone", "Give a phone number if you would like us to call or text you.")
        return cleaned


class FollowUpForm(forms.Form):
    title = forms.CharField(max_length=255)
    start = forms.DateTimeField(
        label="Starts",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="In the event's zone.",
    )
    end = forms.DateTimeField(
        label="Ends",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        required=False,
        help_text="Blank: the same length as the original.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] <= cleaned["start"]:
            self.add_error("end", "The end must be after the start.")
        return cleaned


def _no_nul(value):
    # PostgreSQL stores no NUL character: one in a text would be a database error, not a message.
    if "\x00" in (value or ""):
        raise forms.ValidationError("Please remove the unusual characters from this text.")


def _free_text(label, *, rows):
    """An optional answer in the person's own words, up to 3,000 characters."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=3000,
        validators=[_no_nul],
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class EventFeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Overall, how was the event?",
        choices=Rating.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    what_worked = _free_text("What worked well? (optional)", rows=4)
    what_to_change = _free_text("What should we change? (optional)", rows=4)
    access_met = forms.ChoiceField(
        label="Access: were your needs met?", choices=AccessMet.choices, widget=forms.RadioSelect
    )
    access_comment = _free_text("Anything about access we should know? (optional)", rows=3)
    show_name = forms.BooleanField(
        label="Show my name to the organisers with my answers",
        required=False,
        help_text="If you leave this unticked, your answers are anonymous: organisers cannot see who wrote them.",
    )
