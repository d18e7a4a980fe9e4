from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from portal.mail import queue_email

from . import throttle


class ThrottleMessageMixin:
    """Says why a throttled sign-in was refused (accounts.backends marks the request)."""

    def get_invalid_login_error(self):
        if getattr(self.request, "sign_in_throttled", False):
            return forms.ValidationError(throttle.message(), code="throttled")
        return super().get_invalid_login_error()


class EmailAuthenticationForm(ThrottleMessageMixin, AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": "That email address and password do not match an account. Check both and try again.",
        "inactive": "This account is not active. Please contact us.",
    }


class AdminLoginForm(ThrottleMessageMixin, WagtailLoginForm):
    """Wagtail's sign-in form (WAGTAILADMIN_USER_LOGIN_FORM), with the throttling message."""


class QueuedPasswordResetForm(PasswordResetForm):
    """Sends the reset link through the task queue, after commit, like every other e-mail."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        text = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context) if html_email_template_name else None
        )
        queue_email(subject=subject, to=[to_email], text=text, html=html)
