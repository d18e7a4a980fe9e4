from django import forms

# The feedback module, not the models package: guidance pages build this form for their context.
from .models.feedback import FeedbackSubmission


class FeedbackForm(forms.ModelForm):
    # A field people never see: bots that fill every input give themselves away.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = FeedbackSubmission
        fields = ["comment", "name", "email", "role", "may_contact"]
        labels = {
            "comment": "Your comments",
            "name": "Your name (optional)",
            "email": "Your email address (optional)",
            "role": "Which describes you best? (optional)",
            "may_contact": "You may contact me about my comments",
        }
        help_texts = {
            "email": "Only if you would like a reply. We never share it.",
        }
        widgets = {"comment": forms.Textarea(attrs={"rows": 8})}

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if len(comment) < 3:
            raise forms.ValidationError("Please write a few words so we know what you think.")
        if len(comment) > 10_000:
            raise forms.ValidationError("Please keep your comments under 10,000 characters.")
        return comment

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("may_contact") and not cleaned.get("email"):
            self.add_error("email", "Give an email address so we can contact you, or untick the box.")
        return cleaned
