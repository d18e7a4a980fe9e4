from django.conf import settings
from django.core.management.base import BaseCommand

from home.brand import write_all


class Command(BaseCommand):
    help = "Draws the favicon set, app icons and default share image (static/brand/) from home/brand.py."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(settings.BASE_DIR / "static" / "brand"))
        parser.add_argument("--name", default=settings.WAGTAIL_SITE_NAME, help="The name on the share image.")

    def handle(self, *args, output, name, **options):
        for path in write_all(output, name):
            self.stdout.write(f"Wrote {path}")
