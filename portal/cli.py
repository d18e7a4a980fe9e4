"""The ``portal`` command (pyproject.toml's ``[project.scripts]``): what ``manage.py`` does, for the
installed portal. Installed, it runs with the production settings unless ``DJANGO_SETTINGS_MODULE`` names
others; ``manage.py`` in a checkout keeps the development settings."""

import os
import sys


def main(argv=None, default_settings="portal.settings.production"):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv if argv is None else argv)


if __name__ == "__main__":
    main()
