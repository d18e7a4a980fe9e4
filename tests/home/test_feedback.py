import pytest
from django.urls import reverse

from home.models import FeedbackSubmission, GuidancePage

pytestmark = pytest.mark.django_db

URL = "/guidance/draft-manifesto/"


@pytest.fixture
def manifesto(home_page):
    return GuidancePage.objects.get(slug="draft-manifesto")


def valid(**overrides):
    data = {
        "comment": "Add a commitment to pay expenses in advance.",
        "name": "Sam",
        "email": "",
        "role": "public",
    }
    data.update(overrides)
    return data


def test_valid_feedback_is_stored_and_thanked(client, manifesto):
    response = client.post(URL, valid(), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith("?feedback=sent#feedback")
    assert manifesto.feedback_thank_you.encode() in response.content
    stored = FeedbackSubmission.objects.get()
    assert stored.page == manifesto
    assert stored.comment == "Add a commitment to pay expenses in advance."
    assert stored.name == "Sam" and stored.role == "public"


def test_invalid_feedback_shows_errors_and_keeps_what_was_typed(client, manifesto):
    response = client.post(URL, valid(comment="", name="Typed name", may_contact="on"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "This field is required." in html
    assert "Give an email address so we can contact you" in html
    assert 'value="Typed name"' in html
    assert 'aria-invalid="true"' in html
    assert FeedbackSubmission.objects.count() == 0


def test_honeypot_rejects_bots_without_storing(client, manifesto):
    response = client.post(URL, valid(website="http://spam.example"))
    assert response.status_code == 400
    assert b"leave the last field empty" in response.content
    assert FeedbackSubmission.objects.count() == 0


def test_rate_limit_rejects_floods_and_keeps_the_text(client, manifesto, settings):
    settings.FEEDBACK_RATE_LIMIT = (3, 600)
    for _ in range(3):
        assert client.post(URL, valid()).status_code == 302
    response = client.post(URL, valid(comment="A fourth comment, too soon."))
    assert response.status_code == 400
    assert b"Please wait a few minutes" in response.content
    assert b"A fourth comment, too soon." in response.content
    assert FeedbackSubmission.objects.count() == 3


def test_rate_limit_is_per_sender(client, manifesto, settings):
    settings.FEEDBACK_RATE_LIMIT = (1, 600)
    assert client.post(URL, valid(), REMOTE_ADDR="10.0.0.1").status_code == 302
    assert client.post(URL, valid(), REMOTE_ADDR="10.0.0.2").status_code == 302
    assert client.post(URL, valid(), REMOTE_ADDR="10.0.0.1").status_code == 400


def test_private_page_takes_no_feedback_from_outsiders(client, manifesto, editor):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=manifesto, restriction_type=PageViewRestriction.LOGIN)
    response = client.post(URL, valid())
    assert response.status_code == 302 and "login" in response.url
    assert FeedbackSubmission.objects.count() == 0
    client.force_login(editor)
    assert client.post(URL, valid()).status_code == 302
    assert FeedbackSubmission.objects.count() == 1


def test_page_without_feedback_ignores_posts(client, home_page):
    page = GuidancePage.objects.get(slug="sharing-power")
    assert not page.accepts_feedback
    response = client.post(page.url, valid())
    assert response.status_code in (200, 405)
    assert FeedbackSubmission.objects.count() == 0
    assert b'id="feedback"' not in client.get(page.url).content


def test_editors_see_and_export_feedback_in_the_admin(client, manifesto, editor):
    from home.factories import FeedbackSubmissionFactory

    FeedbackSubmissionFactory(page=manifesto, comment="Make the language plainer.", name="Ola")
    client.force_login(editor)
    listing = client.get(reverse("feedback:index"))
    assert listing.status_code == 200
    assert b"Make the language plainer." in listing.content
    export = client.get(reverse("feedback:index") + "?export=csv")
    assert export.status_code == 200
    assert "Make the language plainer." in b"".join(export.streaming_content).decode()
    xlsx = client.get(reverse("feedback:index") + "?export=xlsx")
    assert xlsx.status_code == 200


def test_feedback_admin_is_closed_to_the_public_and_contributors(client, manifesto, contributor):
    url = reverse("feedback:index")
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(contributor)
    response = client.get(url)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/admin/login/" in response["Location"] or response["Location"].startswith("/admin/")


def test_coordinators_do_not_see_feedback(client, manifesto, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("feedback:index"))
    assert response.status_code in (302, 403)
