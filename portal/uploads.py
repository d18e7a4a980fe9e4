"""Checking uploaded files: what a file is by its content as well as its name, and how big it may be.

A file renamed to look harmless (a web page called `notes.pdf`, a program called `photo.jpg`) is
refused: its extension must be allowed and the type its first bytes show (magic numbers, read by
`filetype`) must be one that extension stands for. Every upload the portal accepts (receipts,
suggested resources, course materials) goes through `check_upload`.
"""

import filetype
from django.core.exceptions import ValidationError


def content_type(upload):
    """The MIME type the file's first bytes show, or None when they show nothing known."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def _megabytes(size):
    return f"{size // (1024 * 1024)} MB"


def check_upload(upload, *, allowed, max_bytes, what="file", described_as=""):
    """Raises ValidationError (a message for people) unless `upload` is an allowed, small enough file.

    `allowed` maps an extension (".pdf") to the MIME types its content may show; `described_as` names
    the allowed kinds for people ("a PDF or a photo"). Returns the extension that matched.
    """
    described_as = described_as or ", ".join(ext[1:].upper() for ext in allowed)
    name = (getattr(upload, "name", "") or "").lower()
    extension = next((ext for ext in allowed if name.endswith(ext)), None)
    if extension is None:
        raise ValidationError(f"Upload the {what} as {described_as}.")
    if upload.size > max_bytes:
        raise ValidationError(f"The {what} must be smaller than {_megabytes(max_bytes)}.")
    if content_type(upload) not in allowed[extension]:
        raise ValidationError(
            f"This file is not a {extension[1:].upper()} file, whatever its name says. "
            f"Upload the {what} as {described_as}."
        )
    return extension
