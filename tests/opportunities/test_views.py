"""Public pages and the applicant's signed link: who may see what, bad input, no 500."""

import json
import re

import pytest
from django.core import mail
from django.urls import reverse

from opportunities.models import Application
from opportunities.signing import make_manage_token

from .conftest import form_data

Status = Application.Status
pytestmark = pytest.mark.django_db


def structured(html):
    return [
        json.loads(text)
        for text in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def manage_url(application):
    return reverse("opportunities:manage", args=[make_manage_token(application)])


def test_opportunity_page_shows_what_it_pays_and_why(client, opportunity):
    response = client.get(opportunity.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "pays £81.25" in html
    assert "2 h 10 min meeting or workshop, rounded to 2 h 15 min, at £25.00/h = £56.25" in html
    assert "choose to be paid" in html and "not to be paid at all" in html
    assert 'name="question_0"' in html and "Why would you like to join?" in html
    [data] = [item for item in structured(html) if item["@type"] == "JobPosting"]
    assert data["title"] == "Lived experience panel"
    assert data["validThrough"].startswith(opportunity.closing_date.isoformat())
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert data["url"].startswith("http") and data["url"].endswith("/get-involved/panel/")


def test_closed_opportunity_stays_readable_and_takes_no_applications(client, closed_opportunity):
    response = client.get(closed_opportunity.url)
    assert response.status_code == 200
    assert "This opportunity closed on" in response.content.decode()
    assert 'name="email"' not in response.content.decode()
    # Search engines are no longer told it takes applications.
    assert all(item["@type"] != "JobPosting" for item in structured(response.content.decode()))
    response = client.post(closed_opportunity.url, form_data())
    assert response.status_code == 400
    assert "This opportunity closed on" in response.content.decode()
    assert not Application.objects.exists()


def test_voluntary_role_says_so(client, index, policy):
    from opportunities.factories import OpportunityPageFactory

    page = OpportunityPageFactory(parent=index, is_paid=False)
    html = client.get(page.url).content.decode()
    assert "This is a voluntary role" in html and "pays £" not in html


def test_index_filters_and_bad_filters(client, index, opportunity, closed_opportunity):
    from opportunities.factories import OpportunityPageFactory

    OpportunityPageFactory(
        parent=index, title="Reviewers wanted", slug="reviewers", role_kind="reviewer", is_paid=False
    )
    html = client.get(index.url).content.decode()
    assert "Lived experience panel" in html and "Reviewers wanted" in html and "Old panel" not in html
    html = client.get(index.url, {"role_kind": "reviewer"}).content.decode()
    assert "Reviewers wanted" in html and "Lived experience panel" not in html
    html = client.get(index.url, {"paid": "paid"}).content.decode()
    assert "Lived experience panel" in html and "Reviewers wanted" not in html
    html = client.get(index.url, {"show": "closed"}).content.decode()
    assert "Old panel" in html and "Lived experience panel" not in html
    html = client.get(index.url, {"closing_soon": "on"}).content.decode()
    assert "Lived experience panel" in html
    for bad in ({"role_kind": "<script>"}, {"page": "x"}, {"page": "99999"}, {"topic": "\x00"}):
        response = client.get(index.url, bad)
        assert response.status_code == 200


def test_home_page_shows_open_opportunities(client, home_page, opportunity, closed_opportunity):
    html = client.get(home_page.url).content.decode()
    assert "Get involved" in html and "Lived experience panel" in html and "Old panel" not in html


def test_apply_without_an_account_then_manage_by_link(
    client, opportunity, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(opportunity.url, form_data(eq_age_band="25_44"))
    assert response.status_code == 302
    assert "/applications/" in response["Location"]
    application = Application.objects.get()
    assert application.answers[0] == {
        "question": "Why would you like to join?",
        "answer": "I have been through it.",
    }
    link = re.search(r"https?://[^/\s]+(/applications/[^/\s]+/)", mail.outbox[0].body).group(1)
    page = client.get(link)
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert "Large print please" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, {**form_data(access_needs="BSL interpreter"), "action": "change"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.access_needs == "BSL interpreter"
    # The old one-tap form only asks; the question's own form withdraws.
    assert client.post(link, {"action": "withdraw"}).url == link + "withdraw/"
    application.refresh_from_db()
    assert application.status == Status.RECEIVED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link + "withdraw/")
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    assert "withdrawn" in mail.outbox[-1].subject
    assert "Change your application" not in client.get(link).content.decode()


def test_invalid_application_keeps_input_and_ties_errors_to_fields(client, opportunity):
    response = client.post(
        opportunity.url, form_data(email="not-an-email", question_0="", consent_to_contact="")
    )
    assert response.status_code == 400
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    assert 'value="Amira Hassan"' in html
    assert "Large print please" in html
    assert 'id="id_email_error"' in html and 'href="#id_email"' in html
    assert "Tick the box so we can contact you" in html
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"preferred_contact": "phone", "phone": ""},
        {"preferred_contact": "post"},
        {"preferred_contact": "carrier-pigeon"},
        {"name": "   "},
        {"name": "x" * 5000},
        {"question_1": "Maybe"},
        {"access_needs": "x" * 10_000},
        {"eq_gender": "robot"},
        {"email": "a@b.c\x00"},
    ],
)
def test_malformed_application_is_a_clear_400(client, opportunity, overrides):
    response = client.post(opportunity.url, form_data(**overrides))
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not Application.objects.exists()


def test_honeypot_and_rate_limit(client, opportunity, settings):
    response = client.post(opportunity.url, form_data(website="http://spam.example"))
    assert response.status_code == 400 and not Application.objects.exists()
    settings.OPPORTUNITIES_APPLY_RATE_LIMIT = (2, 3600)
    for n in range(2):
        assert client.post(opportunity.url, form_data(email=f"p{n}@example.org")).status_code == 302
    response = client.post(opportunity.url, form_data(email="p9@example.org", name="Keep me"))
    assert response.status_code == 400
    assert "wait a few minutes" in response.content.decode()
    assert 'value="Keep me"' in response.content.decode()
    assert Application.objects.count() == 2


def test_applying_twice_sends_a_new_link(client, opportunity, django_capture_on_commit_callbacks):
    client.post(opportunity.url, form_data())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(opportunity.url, form_data())
    assert response.status_code == 302 and "already=1" in response["Location"]
    assert "link" in mail.outbox[-1].subject.lower()


def test_signed_link_opens_only_its_own_application(client, make_application):
    mine = make_application()
    other = make_application(email="other@example.org", name="Other Person", access_needs="Other needs")
    html = client.get(manage_url(mine)).content.decode()
    assert "Amira Hassan" in html and "Other needs" not in html
    token = make_manage_token(mine)
    for bad in [token[:-2] + "xx", "nonsense", token.replace(":", ";"), "a" * 3000]:
        assert client.get(reverse("opportunities:manage", args=[bad])).status_code == 404
    # A link made for one address does not open an application whose address differs.
    Application.objects.filter(pk=other.pk).update(email="changed@example.org")
    assert client.get(manage_url(mine)).status_code == 200
    other_token = make_manage_token(other)
    Application.objects.filter(pk=other.pk).update(email="someone-else@example.org")
    assert client.get(reverse("opportunities:manage", args=[other_token])).status_code == 404


def test_applicant_accepts_and_declines_offers_by_link(client, make_application, coordinator):
    offered = make_application(Status.OFFERED, coordinator=coordinator)
    url = manage_url(offered)
    assert "Accept the place" in client.get(url).content.decode()
    response = client.post(url, {"action": "accept"})
    assert response.status_code == 302
    offered.refresh_from_db()
    assert offered.status == Status.ACCEPTED and offered.involvement is not None
    # A second click changes nothing.
    assert client.post(url, {"action": "accept"}).status_code == 302
    assert offered.user.involvements.count() == 1
    other = make_application(Status.OFFERED, coordinator=coordinator, email="b@example.org", name="B")
    client.post(manage_url(other), {"action": "decline"})
    other.refresh_from_db()
    assert other.status == Status.DECLINED


def test_manage_refuses_impossible_actions_with_a_message(client, make_application, coordinator):
    application = make_application(Status.NOT_SELECTED, coordinator=coordinator)
    url = manage_url(application)
    for action in ("accept", "decline", "withdraw", "change", "explode", ""):
        response = client.post(url, {"action": action})
        assert response.status_code == 400, action
    application.refresh_from_db()
    assert application.status == Status.NOT_SELECTED
    assert client.put(url).status_code == 405


def test_change_form_errors_keep_input(client, make_application):
    application = make_application()
    response = client.post(
        manage_url(application), {**form_data(preferred_contact="phone", phone=""), "action": "change"}
    )
    assert response.status_code == 400
    assert "Give a phone number" in response.content.decode()
    application.refresh_from_db()
    assert application.preferred_contact == "email"


def test_private_opportunity_takes_no_applications_from_strangers(client, opportunity):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=opportunity, restriction_type=PageViewRestriction.LOGIN)
    response = client.post(opportunity.url, form_data())
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Application.objects.exists()


def test_the_pay_shown_follows_a_new_policy_version_on_its_first_day(
    client, opportunity, policy, settings, monkeypatch
):
    """The pay is kept until the site changes or the day does: a version that takes effect tomorrow
    shows from tomorrow, without any write in between."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from payments.factories import build_policy

    settings.PAGE_CACHE_ENABLED = False  # every request renders; only kept values could be old
    assert "pays £81.25" in client.get(opportunity.url).text
    build_policy(timezone.localdate() + timedelta(days=1), Decimal("30.00"), policy=policy.policy)
    assert "pays £81.25" in client.get(opportunity.url).text
    later = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "pays £97.50" in client.get(opportunity.url).text


def test_a_preview_shows_the_pay_and_form_of_its_draft(client, opportunity, settings):
    settings.PAGE_CACHE_ENABLED = False
    html = client.get(opportunity.url).text  # the live page's pay and empty form are now kept
    assert "pays £81.25" in html and "Why would you like to join?" in html
    opportunity.session_minutes = 60
    opportunity.questions = [
        ("question", {"question": "What would you bring?", "help_text": "", "kind": "text", "required": True})
    ]
    preview = opportunity.make_preview_request().content.decode()
    assert "pays £37.50" in preview and "pays £81.25" not in preview  # preparation: up to half
    assert "What would you bring?" in preview and "Why would you like to join?" not in preview
    assert "pays £81.25" in client.get(opportunity.url).text  # the live page is untouched
