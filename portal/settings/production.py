"""Production: PostgreSQL, Redis, SMTP, HTTPS only. Every secret comes from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, SECRET_KEY, env, env_bool, env_list

# What every production process (web, task worker, scheduler) must be given. compose.yaml gives each
# service all of them (tests/deploy/test_compose.py reads this list).
REQUIRED_FOLDERS = ("MEDIA_ROOT", "PRIVATE_MEDIA_ROOT", "STATIC_ROOT")
REQUIRED_ENVIRONMENT = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", *REQUIRED_FOLDERS)

if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of at least 50 characters.")
if not env("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not env_bool("ALLOW_SQLITE"):
    raise ImproperlyConfigured("Set DATABASE_URL to PostgreSQL: several processes share one database.")
if not REDIS_URL and not env_bool("ALLOW_LOCAL_CACHE"):
    raise ImproperlyConfigured("Set REDIS_URL: the cache (rate limits, feeds) is shared between processes.")
for _name in REQUIRED_FOLDERS:
    if not env(_name):
        raise ImproperlyConfigured(
            f"Set {_name} to a folder outside the installed code, the same for every process."
        )

DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Probes ask over plain HTTP (portal/health.py answers them before the redirect in any case).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Production runs behind one proxy that overwrites X-Forwarded-For with the client's address (see the
# README). Set 0 if the app is reached directly, 2 for a CDN in front of that proxy: a count larger
# than the real number of proxies lets clients choose the address their rate limits are counted by.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "1"))
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"

# Several workers share the database: tasks go through it unless told otherwise.
if env("TASKS_BACKEND", "database") == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}

# One JSON object a line on standard error, with the request id, scrubbed (portal/observability.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.observability.RequestIdFilter"}},
    "formatters": {"json": {"()": "portal.observability.JSONFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# Errors to Sentry only when SENTRY_DSN is set; nothing is initialised otherwise.
SENTRY_DSN = env("SENTRY_DSN", "")
if SENTRY_DSN:
    from portal.observability import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", "production"),
        release=env("SENTRY_RELEASE") or env("RELEASE_ID"),
        traces_sample_rate=float(env("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
