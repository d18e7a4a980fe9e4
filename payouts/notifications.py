"""E-mails about payouts: the contributor's breakdown when paid; coordinators when something needs them."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from payments.notifications import absolute, site_settings
from portal.mail import queue_email, render_email

from .models import Payout, PayoutItem


def notify_paid(payout_id):
    payout = Payout.objects.select_related("contributor").get(pk=payout_id)
    if not payout.contributor.email:
        return  # no e-mail address (recorded from paper or a call): the coordinator tells them their way
    items = PayoutItem.objects.filter(payout=payout).select_related("claim")
    context = {
        "payout": payout,
        "items": items,
        "url": _absolute(reverse("payouts:detail", args=[payout.pk])),
        "s": site_settings(),
    }
    queue_email(to=[payout.contributor.email], **render_email("payouts/email/payout_paid", context))


def notify_coordinators(payout_id, what):
    payout = Payout.objects.select_related("contributor").get(pk=payout_id)
    recipients = get_user_model().objects.emails_with_perm("payouts.change_payout")
    if recipients:
        context = {
            "payout": payout,
            "what": what,
            "url": _absolute(reverse("payouts_admin:inspect", args=[payout.pk])),
        }
        queue_email(to=recipients, **render_email("payouts/email/payout_problem", context))


def _absolute(path):
    return absolute(path)
