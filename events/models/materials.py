"""Files for an event's attendees only, kept in private storage.

The stored name is a random folder plus the uploaded name, so it cannot be guessed, and the storage has
no public URL at all: the files are served only by `events.views.material_file`, which checks that the
person has a confirmed place (through their signed manage link or their account) or coordinates events.
"""

import uuid

from django.db import models
from django.urls import reverse
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable

from portal.storage import private_storage
from portal.uploads import check_upload
from portal.widgets import PrivateFileInput

MATERIAL_FILE_TYPES = {
    ".pdf": {"application/pdf"},
    ".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"},
    ".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/zip"},
    ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"},
    ".odt": {"application/vnd.oasis.opendocument.text", "application/zip"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".png": {"image/png"},
}
MATERIAL_FILE_MAX_BYTES = 25 * 1024 * 1024
MATERIAL_FILE_KINDS = "a PDF, Word, PowerPoint, Excel, OpenDocument text or image file"


def material_path(instance, filename):
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:100]
    return f"event-materials/{uuid.uuid4().hex}/{name}"


def validate_material_file(upload):
    # Only new uploads are checked: a stored file has no upload to read.
    if hasattr(upload, "content_type") or getattr(upload, "_committed", True) is False:
        check_upload(
            upload,
            allowed=MATERIAL_FILE_TYPES,
            max_bytes=MATERIAL_FILE_MAX_BYTES,
            what="file",
            described_as=MATERIAL_FILE_KINDS,
        )


def material_download_url(value):
    """The staff download address of a stored material file (a FieldFile), or None before it is saved."""
    pk = getattr(value.instance, "pk", None)
    return reverse("events_admin:material_download", args=[pk]) if pk else None


class EventMaterialFile(Orderable):
    event = ParentalKey("events.EventPage", on_delete=models.CASCADE, related_name="material_files")
    title = models.CharField(max_length=200, help_text="What attendees see, e.g. “Course handbook”.")
    file = models.FileField(
        upload_to=material_path,
        storage=private_storage,
        max_length=255,
        validators=[validate_material_file],
        help_text=f"Only people with a confirmed place and coordinators can download it. Upload {MATERIAL_FILE_KINDS}, up to 25 MB.",
    )

    # The file is private: the admin's form shows its name and a staff-only download link (the default
    # widget asked the file for its public URL, which private storage refuses).
    panels = [
        FieldPanel("title"),
        FieldPanel("file", widget=PrivateFileInput(download_url=material_download_url)),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "file for attendees"

    def __str__(self):
        return self.title

    @property
    def filename(self):
        return self.file.name.rsplit("/", 1)[-1]
