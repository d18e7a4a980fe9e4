import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="payments.models.PrivateStorage")  # the path migrations name
class PrivateStorage(FileSystemStorage):
    """Files kept outside MEDIA_ROOT (receipts), never given a public URL.

    The location is read from settings.PRIVATE_MEDIA_ROOT on every use, so tests can point it at a
    temporary folder. Files are served only by views that check who is asking.
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
        raise ValueError("Private files have no public URL; use the receipt view.")


private_storage = PrivateStorage()
