"""State changes for the home app: feedback on guidance pages."""

import hashlib

from django.conf import settings
from django.core.cache import cache

from .models.feedback import FeedbackSubmission


class FeedbackRejected(Exception):
    """Feedback that will not be stored; the message is shown to the person."""


def client_address(request):
    # Behind a proxy the first X-Forwarded-For hop is the client; production sets the proxy to overwrite it.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "unknown")


def _rate_limit_key(request):
    digest = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    return f"feedback-rate:{digest}"


def check_rate_limit(request):
    """Counts this submission against the sender's allowance; raises FeedbackRejected once used up.

    The counter lives in the shared cache (Redis in production), and `incr` is atomic there, so
    the limit holds across every web process.
    """
    limit, window = settings.FEEDBACK_RATE_LIMIT
    key = _rate_limit_key(request)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    if count > limit:
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
