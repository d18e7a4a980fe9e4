from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import throttle

        user_login_failed.connect(throttle.on_login_failed, dispatch_uid="accounts.throttle.failure")
        user_logged_in.connect(throttle.on_logged_in, dispatch_uid="accounts.throttle.success")
