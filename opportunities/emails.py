"""E-mails to applicants: one template set, worded for each moment they would want to hear about.

Each message carries the signed link to the application. The acceptance e-mail also carries a link to
set a password (Django's password-reset token) when the person has no password yet.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal.mail import queue_email, render_email

from .signing import make_manage_token

KINDS = {
    "received",
    "changed",
    "withdrawn",
    "restored",
    "shortlisted",
    "offered",
    "accepted",
    "declined",
    "not_selected",
    "link",
}


def site_root_url(page):
    site = page.get_site()
    return site.root_url if site else settings.WAGTAILADMIN_BASE_URL


def set_password_url(root, user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return root + reverse("accounts:password_reset_confirm", args=[uid, token])


def queue_application_email(application, kind, *, new_account=False):
    """Queues the e-mail of `kind` to the applicant, sent once the transaction commits."""
    if kind not in KINDS:
        raise ValueError(f"Unknown e-mail: {kind}")
    opportunity = application.opportunity
    root = site_root_url(opportunity)
    context = {
        "kind": kind,
        "application": application,
        "opportunity": opportunity,
        "opportunity_url": opportunity.get_full_url() or root,
        "manage_url": root + reverse("opportunities:manage", args=[make_manage_token(application)]),
        "title": " ".join(opportunity.title.split()),
        "undo_until": application.undo_withdrawal_until() if kind == "withdrawn" else None,
    }
    if kind == "accepted" and application.user is not None:
        user = application.user
        context["needs_password"] = new_account or not user.has_usable_password()
        context["set_password_url"] = set_password_url(root, user) if context["needs_password"] else ""
        context["sign_in_url"] = root + reverse("accounts:login")
        context["claims_url"] = root + reverse("payments:my_involvement")
    message = render_email("opportunities/email/application", context)
    queue_email(to=[application.email], **message)
