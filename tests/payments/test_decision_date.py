"""A submitted claim tells the contributor when to expect a decision (issue 22, item 3): on the claim's
page and in My involvement, with a late notice and whom to contact once the date has passed."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from payments.expectations import expected_decision, expected_next
from payments.models import InvolvementClaim

pytestmark = pytest.mark.django_db


def submitted_days_ago(claim, days):
    InvolvementClaim.objects.filter(pk=claim.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=days)
    )
    claim.refresh_from_db()
    return claim


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_decision_is_expected_the_period_after_submission(make_claim, contributor, settings):
    settings.PAYMENTS_DECIDE_WITHIN_DAYS = 10
    claim = submitted_days_ago(make_claim(contributor, "submitted"), 3)
    submitted_on = timezone.localdate(claim.submitted_at)

    expectation = expected_decision(claim)
    assert expectation.date == submitted_on + datetime.timedelta(days=10)
    assert expectation.basis == "decision" and not expectation.late
    assert expected_next(claim) == expectation

    later = submitted_on + datetime.timedelta(days=11)
    assert expected_decision(claim, today=later).late
    assert expected_decision(claim, today=later).date == expectation.date


def test_no_decision_date_before_submission_or_after_a_decision(make_claim, contributor, coordinator):
    assert expected_decision(make_claim(contributor, "draft")) is None
    approved = make_claim(contributor, "approved", approver=coordinator)
    assert expected_decision(approved) is None
    assert expected_next(approved).basis == "policy"  # now the payment date
    assert expected_decision(make_claim(contributor, "rejected", approver=coordinator)) is None


def test_claim_page_and_my_involvement_show_the_expected_decision_date(
    client, make_claim, contributor, settings
):
    settings.PAYMENTS_DECIDE_WITHIN_DAYS = 10
    claim = submitted_days_ago(make_claim(contributor, "submitted"), 2)
    due = timezone.localdate(claim.submitted_at) + datetime.timedelta(days=10)
    client.force_login(contributor)

    page = text(client.get(reverse("payments:claim_detail", args=[claim.pk])))
    assert f"Expect a decision by {due:%-d %B %Y}" in page
    assert "is late" not in page

    overview = text(client.get(reverse("payments:my_involvement")))
    assert f"Decision expected by {due:%-d %B %Y}" in overview


def test_a_late_decision_says_so_and_names_whom_to_contact(
    client, home_page, make_claim, contributor, settings
):
    from wagtail.models import Site

    from home.models import SiteSettings

    settings.PAYMENTS_DECIDE_WITHIN_DAYS = 10
    site_settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.payments_contact_name = "Sam Okafor"
    site_settings.payments_contact_email = "payments@example.org"
    site_settings.save()
    claim = submitted_days_ago(make_claim(contributor, "submitted"), 14)
    due = timezone.localdate(claim.submitted_at) + datetime.timedelta(days=10)
    client.force_login(contributor)

    page = text(client.get(reverse("payments:claim_detail", args=[claim.pk])))
    assert "The decision on your claim is late" in page
    assert f"we aimed to decide by {due:%-d %B %Y}" in page
    assert "Who to contact: Sam Okafor , payments@example.org" in page

    overview = text(client.get(reverse("payments:my_involvement")))
    assert f"Decision late: expected by {due:%-d %B %Y}" in overview


def test_another_contributor_cannot_see_the_claim(client, make_claim, contributor, other_contributor):
    claim = make_claim(contributor, "submitted")
    client.force_login(other_contributor)
    assert client.get(reverse("payments:claim_detail", args=[claim.pk])).status_code == 404
