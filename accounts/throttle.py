"""Sign-in throttling, per account and per client address.

After `LOGIN_THROTTLE_ACCOUNT` failures for one e-mail address, or `LOGIN_THROTTLE_ADDRESS` failures
from one client address (`portal.http.client_ip`), within their windows, every sign-in attempt that
matches is refused, right password or not, until the window that started with the first failure has
passed. Counters live in the shared cache (`portal.ratelimit`), so the limits hold across processes.

What must stay true: nothing here reveals whether an account exists. The account counter is keyed
by the address as typed (normalised), whether or not anyone has it; a refused attempt gets the same
message and does the same work for both. A successful sign-in clears its account's counter, never
the address counter (or one account of one's own would reset the count of guesses at others').
"""

from django.conf import settings

from portal import ratelimit
from portal.http import client_ip

ACCOUNT = "login-account"
ADDRESS = "login-address"


def _account(username):
    return str(username or "").strip().lower()


def _minutes(seconds):
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def message():
    """What a refused person reads: the same for every account, existing or not."""
    longest = max(settings.LOGIN_THROTTLE_ACCOUNT[1], settings.LOGIN_THROTTLE_ADDRESS[1])
    return (
        "There have been too many unsuccessful attempts to sign in, so signing in is paused for up to "
        f"{_minutes(longest)}. Please try again after that."
    )


def is_blocked(request, username):
    account_limit = settings.LOGIN_THROTTLE_ACCOUNT[0]
    address_limit = settings.LOGIN_THROTTLE_ADDRESS[0]
    return (
        ratelimit.count(ACCOUNT, _account(username)) >= account_limit
        or ratelimit.count(ADDRESS, client_ip(request)) >= address_limit
    )


def record_failure(request, username):
    ratelimit.hit(ACCOUNT, _account(username), settings.LOGIN_THROTTLE_ACCOUNT[1])
    ratelimit.hit(ADDRESS, client_ip(request), settings.LOGIN_THROTTLE_ADDRESS[1])


def record_success(username):
    ratelimit.reset(ACCOUNT, _account(username))


def on_login_failed(sender, credentials, request=None, **kwargs):
    """Receiver for `user_login_failed`. Only sign-ins from a request count: a script calling
    authenticate() has no client."""
    if request is not None:
        record_failure(request, credentials.get("username"))


def on_logged_in(sender, request, user, **kwargs):
    record_success(user.get_username())
