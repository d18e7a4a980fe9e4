from django.utils.deconstruct import deconstructible

from portal.storage import PrivateStorage as SharedPrivateStorage


@deconstructible(path="payments.models.PrivateStorage")  # the path payments' migrations name
class PrivateStorage(SharedPrivateStorage):
    """Receipts: the portal's private storage (`portal.storage`), under the name migrations know."""


private_storage = PrivateStorage()
