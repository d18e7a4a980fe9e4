"""Signed manage links: a registration's id signed with the secret key, so no account is needed.

A tampered or made-up token fails `signing.loads` and the manage view answers 404. The token also binds a
short hash of the e-mail address (not the address itself, which would end up in server logs), so a link
can never open someone else's registration. Each call makes a fresh token (it carries a timestamp), so a
second registration attempt can send a new link.
"""

import hashlib

from django.core import signing

from .models import Registration

SALT = "events.registration.manage"


def _email_hash(email):
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def make_manage_token(registration):
    return signing.dumps(
        {"r": registration.pk, "h": _email_hash(registration.email)}, salt=SALT, compress=True
    )


def read_manage_token(token):
    """Returns the registration the token names, or None for a bad signature or a mismatched e-mail."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    registration = Registration.objects.select_related("event").filter(pk=data.get("r")).first()
    if registration is None or _email_hash(registration.email) != data.get("h"):
        return None
    return registration
