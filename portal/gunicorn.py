"""Gunicorn's settings for the portal: ``gunicorn -c python:portal.gunicorn portal.wsgi``.

Its own log lines are JSON too (portal/observability.py); there is no access log (the reverse proxy
keeps one if wanted), so probes of /healthz and /readyz are never logged.
"""

import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Requests wait in the proxy, not in gunicorn, while a worker restarts.
graceful_timeout = 20
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.observability.JSONFormatter"}},
    "handlers": {
        "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    },
    # Gunicorn merges this over its defaults one key deep: the root logger must name a handler defined here.
    "root": {"level": "INFO", "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
}
