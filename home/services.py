"""State changes for the home app: feedback on guidance pages."""

from django.conf import settings

from portal import ratelimit
from portal.http import client_ip

from .models.feedback import FeedbackSubmission


class FeedbackRejected(Exception):
    """Feedback that will not be stored; the message is shown to the person."""


def check_rate_limit(request):
    """Counts this submission against the sender's allowance; raises FeedbackRejected once used up.

    Counted per client address (`portal.http.client_ip`, which trusts only the configured proxies),
    in the shared cache, so the limit holds across every web process.
    """
    limit, window = settings.FEEDBACK_RATE_LIMIT
    if ratelimit.hit("feedback", client_ip(request), window) > limit:
        raise FeedbackRejected(
            "You have sent several comments in a short time. Please wait a few minutes and try again; "
            "what you wrote is still in the form."
        )


def submit_feedback(*, page, data, request):
    """Stores feedback on a guidance page.

    Invariants: nothing is stored for a page that does not accept feedback, when the honeypot was
    filled in, or past the rate limit; in each case FeedbackRejected explains why.
    """
    if not page.accepts_feedback:
        raise FeedbackRejected("This page is not open for comments.")
    if data.get("website"):
        raise FeedbackRejected("Your comments could not be sent. Please leave the last field empty.")
    check_rate_limit(request)
    return FeedbackSubmission.objects.create(
        page=page,
        name=data.get("name", ""),
        email=data.get("email", ""),
        role=data.get("role", ""),
        comment=data["comment"],
        may_contact=bool(data.get("may_contact")),
    )
