"""The public "suggest a resource" form."""

from django import forms
from django.core.exceptions import ValidationError

from portal.uploads import check_upload

from .models.resource import http_url_validator
from .models.terms import Audience, ResourceType, Topic

# What a suggested file may be: documents people share about co-production. Its extension and the type
# its first bytes show must agree (see portal.uploads).
SUGGESTION_FILE_TYPES = {
    ".pdf": {"application/pdf"},
    ".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"},
    ".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/zip"},
    ".odt": {"application/vnd.oasis.opendocument.text", "application/zip"},
}
SUGGESTION_FILE_MAX_BYTES = 10 * 1024 * 1024
SUGGESTION_FILE_KINDS = "a PDF, Word (.docx), PowerPoint (.pptx) or OpenDocument (.odt) file"


def _no_nul(value):
    # PostgreSQL stores no NUL character; one in a text field would be a database error, not a message.
    if "\x00" in (value or ""):
        raise ValidationError("Please remove the unusual characters from this text.")


class SuggestionForm(forms.Form):
    title = forms.CharField(label="Title of the resource", max_length=255, validators=[_no_nul])
    url = forms.CharField(
        label="Link to it (if it is online)",
        required=False,
        max_length=500,
        help_text="Starting with http:// or https://. Give a link or upload a file.",
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "url"}),
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text=f"Upload {SUGGESTION_FILE_KINDS}, up to 10 MB.",
    )
    why_useful = forms.CharField(
        label="Why is it useful?",
        max_length=3000,
        validators=[_no_nul],
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="A few sentences: who it helps and how. Up to 3,000 characters.",
    )
    resource_type = forms.ModelChoiceField(
        label="What kind of resource is it? (optional)",
        queryset=ResourceType.objects.order_by("name"),
        required=False,
        empty_label="Not sure",
    )
    topics = forms.ModelMultipleChoiceField(
        label="Topics (optional)",
        queryset=Topic.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audiences = forms.ModelMultipleChoiceField(
        label="Who is it for? (optional)",
        queryset=Audience.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    name = forms.CharField(
        label="Your name",
        max_length=200,
        validators=[_no_nul],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Your email address",
        help_text="We write to tell you when it is published, or why not. We never share it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    credit = forms.BooleanField(label="Credit me by name on the resource's page", required=False)
    # A field people never see: bots that fill every input give themselves away.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if len(title) < 3:
            raise ValidationError("Give the resource's title, so editors can find it.")
        return title

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if url:
            http_url_validator(url)
        return url

    def clean_why_useful(self):
        text = self.cleaned_data["why_useful"].strip()
        if len(text) < 10:
            raise ValidationError("Please write a sentence or two on why it is useful.")
        return text

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            check_upload(
                upload,
                allowed=SUGGESTION_FILE_TYPES,
                max_bytes=SUGGESTION_FILE_MAX_BYTES,
                what="file",
                described_as=SUGGESTION_FILE_KINDS,
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if "url" in cleaned and "file" in cleaned and not cleaned["url"] and not cleaned["file"]:
            self.add_error("url", "Give a link to the resource, or upload a file.")
        return cleaned
