"""Signed manage links: a registration's id signed with the secret key, so no account is needed.

A tampered or made-up token fails `signing.loads` and the manage view answers 404. Each call makes a
fresh token (it carries a timestamp), so a second registration attempt can send a new link.
"""

from django.core import signing

SALT = "events.registration.manage"


def make_manage_token(registration):
    return signing.dumps({"r": registration.pk, "e": registration.email}, salt=SALT, compress=True)


def read_manage_token(token):
    """Returns the registration the token names, or None for a bad signature or a stale email."""
    from .models import Registration

    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    registration = Registration.objects.select_related("event").filter(pk=data.get("r")).first()
    if registration is None or registration.email != data.get("e"):
        return None
    return registration
