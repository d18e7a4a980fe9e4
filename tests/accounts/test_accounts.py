import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def test_sign_in_with_email_and_sign_out(client, contributor, home_page):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b'autocomplete="email"' in response.content
    response = client.post(
        reverse("accounts:login"), {"username": contributor.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(contributor.pk)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_wrong_password_explains_and_keeps_email(client, contributor, home_page):
    response = client.post(reverse("accounts:login"), {"username": contributor.email, "password": "nope"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert contributor.email.encode() in response.content


def test_sign_in_redirects_only_to_safe_next(client, contributor, home_page):
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example/",
        {"username": contributor.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_password_reset_round_trip(client, contributor, home_page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": contributor.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your password"
    assert message.alternatives, "the reset email has an HTML part too"
    link = re.search(r"https?://[^/\s]+(/account/password-reset/[^\s]+/)", message.body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(
        form_url, {"new_password1": "a brand new passphrase 42", "new_password2": "a brand new passphrase 42"}
    )
    assert response.status_code == 302
    contributor.refresh_from_db()
    assert contributor.check_password("a brand new passphrase 42")


def test_password_reset_for_unknown_email_reveals_nothing(
    client, home_page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:password_reset"), {"email": "nobody@example.org"}, follow=True
        )
    assert response.status_code == 200
    assert b"If an account uses that address" in response.content
    assert mail.outbox == []


def test_contributors_cannot_enter_the_wagtail_admin(client, contributor):
    client.force_login(contributor)
    response = client.get("/admin/")
    assert response.status_code in (302, 403)


def test_coordinators_can_enter_the_wagtail_admin(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/admin/").status_code == 200
