"""Sign-in throttling: per account and per client address, reset by time, the same for accounts that
exist and those that do not, on the site's sign-in page and Wagtail's."""

import re

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
SITE_LOGIN = "/account/sign-in/"
ADMIN_LOGIN = "/admin/login/"
PAUSED = b"signing in is paused"


@pytest.fixture
def limits(settings):
    settings.LOGIN_THROTTLE_ACCOUNT = (5, 900)
    settings.LOGIN_THROTTLE_ADDRESS = (12, 900)
    return settings


def sign_in(client, email, password, url=SITE_LOGIN, **extra):
    return client.post(url, {"username": email, "password": password}, **extra)


def signed_in(client):
    return "_auth_user_id" in client.session


def test_sixty_wrong_passwords_then_the_right_one_is_refused(client, contributor, home_page):
    for _ in range(60):
        assert not signed_in(client)
        sign_in(client, contributor.email, "wrong password")
    response = sign_in(client, contributor.email, PASSWORD)
    assert response.status_code == 200
    assert not signed_in(client)
    assert PAUSED in response.content
    assert b"up to 15 minutes" in response.content


def test_account_is_throttled_from_every_address(client, contributor, home_page, limits):
    for n in range(5):
        sign_in(client, contributor.email, "wrong", REMOTE_ADDR=f"10.0.0.{n + 1}")
    response = sign_in(client, contributor.email.upper(), PASSWORD, REMOTE_ADDR="10.9.9.9")
    assert PAUSED in response.content and not signed_in(client)
    # Another account from the same addresses is not affected.
    assert sign_in(client, "someone-else@example.org", "wrong", REMOTE_ADDR="10.9.9.9").status_code == 200


def test_address_is_throttled_across_accounts(client, contributor, home_page, limits):
    for n in range(12):
        sign_in(client, f"guess{n}@example.org", "wrong", REMOTE_ADDR="10.1.1.1")
    response = sign_in(client, contributor.email, PASSWORD, REMOTE_ADDR="10.1.1.1")
    assert PAUSED in response.content and not signed_in(client)
    assert sign_in(client, contributor.email, PASSWORD, REMOTE_ADDR="10.2.2.2").status_code == 302


def test_throttle_ends_when_the_window_has_passed(client, contributor, home_page, limits):
    for _ in range(5):
        sign_in(client, contributor.email, "wrong")
    assert PAUSED in sign_in(client, contributor.email, PASSWORD).content
    # The counters expire with their window; clearing the cache is what the passing of time does.
    caches["counters"].clear()
    assert sign_in(client, contributor.email, PASSWORD).status_code == 302


def test_a_success_clears_the_account_count_not_the_address_count(client, contributor, home_page, limits):
    for _ in range(4):
        sign_in(client, contributor.email, "wrong")
    assert sign_in(client, contributor.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, contributor.email, "wrong")
    assert sign_in(client, contributor.email, PASSWORD).status_code == 302
    client.logout()
    # 8 failures from this address so far: 4 more reach the address limit of 12, sign-in or not.
    for _ in range(4):
        sign_in(client, "nobody@example.org", "wrong")
    assert PAUSED in sign_in(client, contributor.email, PASSWORD).content


def _message(response):
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return text.replace("ghost@example.org", "EMAIL").replace("contributor-test@example.org", "EMAIL")


def test_messages_do_not_reveal_whether_an_account_exists(client, contributor, home_page, limits):
    for email in (contributor.email, "ghost@example.org"):
        first = sign_in(client, email, "wrong")
        for _ in range(5):
            sign_in(client, email, "wrong")
        throttled = sign_in(client, email, "wrong")
        if email == contributor.email:
            existing = (_message(first), _message(throttled))
        else:
            missing = (_message(first), _message(throttled))
        caches["counters"].clear()
    assert existing == missing
    assert PAUSED.decode() in existing[1] and PAUSED.decode() not in existing[0]


def test_wagtail_admin_sign_in_is_throttled_too(client, editor, home_page, limits):
    for _ in range(5):
        response = sign_in(client, editor.email, "wrong", url=ADMIN_LOGIN)
        assert response.status_code == 200
    response = sign_in(client, editor.email, PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 200
    assert PAUSED in response.content
    assert not signed_in(client)
    # And failures on one form count on the other: it is the account that is throttled.
    assert PAUSED in sign_in(client, editor.email, PASSWORD).content


def test_throttled_attempts_check_no_password(client, contributor, home_page, limits, monkeypatch):
    for _ in range(5):
        sign_in(client, contributor.email, "wrong")
    checked = []
    from accounts.models import User

    original = User.check_password
    monkeypatch.setattr(User, "check_password", lambda *a, **k: checked.append(1) or original(*a, **k))
    sign_in(client, contributor.email, PASSWORD)
    assert checked == []
    caches["counters"].clear()
    sign_in(client, contributor.email, PASSWORD)
    assert checked == [1], "the patch is in the path a sign-in takes"


def test_forwarded_for_header_is_not_trusted_by_default(client, contributor, home_page, limits):
    for n in range(12):
        sign_in(client, f"guess{n}@example.org", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert PAUSED in sign_in(client, contributor.email, PASSWORD).content
