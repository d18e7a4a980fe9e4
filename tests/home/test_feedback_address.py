"""The feedback rate limit counts per client address, and a client cannot choose its address."""

import pytest

from home.models import FeedbackSubmission

pytestmark = pytest.mark.django_db

URL = "/guidance/draft-manifesto/"


def comment(n):
    return {"comment": f"Comment number {n} on the manifesto.", "name": "", "email": "", "role": "public"}


def test_twenty_forwarded_for_values_do_not_escape_the_limit(client, home_page, settings):
    settings.FEEDBACK_RATE_LIMIT = (5, 600)
    codes = [
        client.post(URL, comment(n), HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(20)
    ]
    assert codes == [302] * 5 + [400] * 15
    assert FeedbackSubmission.objects.count() == 5


def test_behind_a_trusted_proxy_the_address_it_saw_counts(client, home_page, settings):
    settings.FEEDBACK_RATE_LIMIT = (1, 600)
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote the first entry; our proxy appended the address it saw (the last one).
    first = client.post(URL, comment(1), HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7")
    spoofed = client.post(URL, comment(2), HTTP_X_FORWARDED_FOR="2.2.2.2, 198.51.100.7")
    other = client.post(URL, comment(3), HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.8")
    assert (first.status_code, spoofed.status_code, other.status_code) == (302, 400, 302)
