import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

# The order matters: later apps hang their pages under the home page and use earlier demo users.
DEMO_MODULES = [
    "home.demo",
    "library.demo",
    "events.demo",
    "payments.demo",
    "payouts.demo",
    "opportunities.demo",
]


def demo_modules():
    for name in DEMO_MODULES:
        if not apps.is_installed(name.split(".")[0]):
            continue
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


class Command(BaseCommand):
    help = (
        "Builds demo content for local use: the page tree, guidance, and each app's demo data. "
        "Idempotent: running it again adds only what is missing."
    )

    def add_arguments(self, parser):
        for module in demo_modules():
            if hasattr(module, "add_arguments"):
                module.add_arguments(parser)

    def handle(self, *args, **options):
        # Demo people have made-up addresses: the e-mails their demo registrations and payments would
        # trigger are dropped, never sent or printed.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            for module in demo_modules():
                self.stdout.write(f"Loading {module.__name__} ...")
                module.load(self, options)
        from home.demo import DEMO_PASSWORD, DEMO_USERS

        self.stdout.write(self.style.SUCCESS("Demo data is ready. Demo accounts (local use only):"))
        for email, _first, _last, groups, superuser in DEMO_USERS:
            role = "superuser" if superuser else ", ".join(groups)
            self.stdout.write(f"  {email:<28} password: {DEMO_PASSWORD}   ({role})")
        address = (options.get("address") or "http://127.0.0.1:8000").rstrip("/")
        self.stdout.write(f"Admin: {address}/admin/   Site: {address}/")
