"""Form widgets shared by the admin's forms."""

from django import forms
from django.db.models.fields.files import FieldFile
from django.forms.utils import flatatt
from django.utils.html import format_html


class PrivateFileInput(forms.ClearableFileInput):
    """A file input for a file in private storage (portal.storage), which has no public URL.

    Django's ClearableFileInput links the current file to `value.url`, which a private file refuses
    (ValueError, so the form answered 500). This one shows the file's name and, where
    `download_url(value)` gives an address (a view that checks who asks), a link to it.
    """

    def __init__(self, attrs=None, *, download_url=None):
        super().__init__(attrs)
        self.download_url = download_url

    def is_initial(self, value):
        # A stored file has a name; asking for its URL is what must not happen.
        return isinstance(value, FieldFile) and bool(value.name)

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        input_attrs = dict(widget["attrs"])
        checked = input_attrs.pop("checked", False)
        file_input = format_html('<input type="file" name="{}"{}>', name, flatatt(input_attrs))
        if not widget["is_initial"]:
            return file_input
        filename = value.name.rsplit("/", 1)[-1]
        url = self.download_url(value) if self.download_url else None
        if url:
            current = format_html(
                '<a href="{}" download>{}</a> (download; staff only, the file is private)', url, filename
            )
        else:
            current = format_html("{} (stored privately)", filename)
        clear = ""
        if not widget["required"]:
            clear = format_html(
                '<br><input type="checkbox" name="{}" id="{}"{}><label for="{}">{}</label>',
                widget["checkbox_name"],
                widget["checkbox_id"],
                " checked" if checked else "",
                widget["checkbox_id"],
                widget["clear_checkbox_label"],
            )
        return format_html(
            "<p>{}: {}{}</p><p>{}: {}</p>",
            widget["initial_text"],
            current,
            clear,
            widget["input_text"],
            file_input,
        )
