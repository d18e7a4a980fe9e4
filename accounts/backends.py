from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import throttle


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, refusing every attempt for an account or address that is throttled.

    It is the only backend, so every sign-in form (the site's, Wagtail's, Django admin's) passes
    through it. A refused attempt raises PermissionDenied, which stops `authenticate` at once: no
    password is checked, for an existing account or not. The request is marked so the sign-in
    forms can say why (accounts.forms.ThrottleMessageMixin).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if request is not None and throttle.is_blocked(request, username):
            request.sign_in_throttled = True
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)
