#!/usr/bin/env python
"""The checkout's command line (development settings by default); installed, the ``portal`` command."""

from portal.cli import main

if __name__ == "__main__":
    main(default_settings="portal.settings.dev")
