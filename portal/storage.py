"""Private files (receipts, course materials): kept outside MEDIA_ROOT and never given a public URL."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="portal.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """Files served only by views that check who is asking.

    The location is read from settings.PRIVATE_MEDIA_ROOT on every use, so tests can point it at a
    temporary folder.
    """

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files have no public URL; they are served by a view that checks access.")


private_storage = PrivateStorage()
