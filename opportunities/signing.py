"""Signed links to an application: its id signed with the secret key, so no account is needed.

As for event registrations (events/signing.py): a tampered or made-up token fails `signing.loads` and
the view answers 404; the token binds a short hash of the e-mail address (never the address itself,
which would end up in server logs), so a link can never open someone else's application.
"""

import hashlib

from django.core import signing

from .models import Application

SALT = "opportunities.application.manage"


def _email_hash(email):
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def make_manage_token(application):
    return signing.dumps({"a": application.pk, "h": _email_hash(application.email)}, salt=SALT, compress=True)


def read_manage_token(token):
    """The application the token names, or None for a bad signature or a mismatched e-mail."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), int):
        return None
    application = Application.objects.select_related("opportunity").filter(pk=data["a"]).first()
    if application is None or _email_hash(application.email) != data.get("h"):
        return None
    return application
