"""E-mails to contributors about their claims: approved, not approved (with the reason and what to do)
and late. Each says how much, when to expect it (payments.expectations) and links to the claim's page
by an absolute address built from the Wagtail Site record, so the link opens wherever the site runs.
Queued after the transaction that caused them commits (portal.mail)."""

from django.conf import settings
from django.urls import reverse
from wagtail.models import Site

from home.models import SiteSettings
from portal.mail import queue_email, render_email

from .expectations import expected_payment
from .models import InvolvementClaim


def default_site():
    return Site.objects.filter(is_default_site=True).first()


def site_root_url(site=None):
    """The site's public address from its Site record (host name and port), else the configured base."""
    site = site or default_site()
    return (site.root_url if site else settings.WAGTAILADMIN_BASE_URL).rstrip("/")


def absolute(path, site=None):
    return site_root_url(site) + path


def site_settings(site=None):
    site = site or default_site()
    return SiteSettings.for_site(site) if site else SiteSettings()


def _context(claim):
    site = default_site()
    s = site_settings(site)
    version = claim.policy_version
    return {
        "claim": claim,
        "name": claim.contributor.first_name or "there",
        "expected": expected_payment(claim),
        "pay_within_days": version.pay_within_days if version else None,
        "url": absolute(reverse("payments:claim_detail", args=[claim.pk]), site),
        "new_claim_url": absolute(reverse("payments:claim_create"), site),
        "s": s,
        "contact": s.payments_contact,
    }


def _send(claim, template):
    if not claim.contributor.email:
        # Recorded without an e-mail address (from paper or a call): nothing is sent; the coordinator
        # who looks after them tells them their way (their claim page in the admin shows what happened).
        return
    queue_email(to=[claim.contributor.email], **render_email(f"payments/email/{template}", _context(claim)))


def _claim(claim_id):
    return InvolvementClaim.objects.select_related("contributor", "policy_version").get(pk=claim_id)


def notify_approved(claim_id):
    _send(_claim(claim_id), "claim_approved")


def notify_rejected(claim_id):
    _send(_claim(claim_id), "claim_rejected")


def notify_late(claim_id):
    _send(_claim(claim_id), "payment_late")
