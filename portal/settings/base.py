"""Settings shared by every environment.

Secure by default and configured from the environment. With no variable at all the
portal runs embedded: SQLite, console e-mail, immediate tasks and a local-memory cache.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .backends import frontend_caches, search_backends

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# A checkout keeps the site-wide templates/ and static/ folders beside the apps; the wheel ships them
# inside the portal package (setup.py), where Django finds them as the portal app's own.
CHECKOUT = (BASE_DIR / "manage.py").is_file()


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Where the portal writes (the SQLite database, uploads, collected static files) unless each is set:
# the checkout in a checkout; installed, the current folder, never the installed code's own folder.
DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR if CHECKOUT else Path.cwd())))


# Never a usable default secret: dev.py and test.py set their own, production requires one.
SECRET_KEY = env("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The project's own apps (the page cache's release is a hash of their files).
PROJECT_APPS = ["portal", "accounts", "home", "library", "events", "payments", "payouts", "opportunities"]
INSTALLED_APPS = [
    *PROJECT_APPS,
    "wagtail.contrib.forms",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # An id on every request's log records and response (X-Request-ID); portal/observability.py.
    "portal.observability.RequestIdMiddleware",
    # /healthz and /readyz, answered before the host check, the HTTPS redirect and the page cache.
    "portal.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "portal.cache.PageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"] if CHECKOUT else [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                # Replaces Django's built-in csrf processor: a placeholder on pages that may be cached.
                "portal.cache.csrf",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

# The embedded default is a SQLite file in DATA_DIR; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks; IMMEDIATE transactions at least serialise writers. Write-ahead logging
    # lets the web and task processes read while one of them writes (a rollback journal makes readers
    # wait for every commit); the mode is kept in the database file.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(DATA_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"] if CHECKOUT else []
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
# Files that must never be public (receipts) live outside MEDIA_ROOT and are served by views
# that check who is asking.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(DATA_DIR / "private_media")))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Caches. "default" (pages, Wagtail's own values) is Redis when REDIS_URL is set, shared by every process, and
# fails soft: a Redis that is down or slow (short socket timeouts) answers as an empty cache, so pages are
# rendered instead. "counters" (rate limits, sign-in throttling) is kept apart so page churn never evicts
# a count: COUNTERS_REDIS_URL (a Redis with maxmemory-policy noeviction), REDIS_URL by default; when it
# fails, counts fall back to each process (portal/ratelimit.py).
REDIS_URL = env("REDIS_URL")
COUNTERS_REDIS_URL = env("COUNTERS_REDIS_URL", REDIS_URL)
REDIS_OPTIONS = {
    "socket_connect_timeout": float(env("REDIS_CONNECT_TIMEOUT", "0.25")),
    "socket_timeout": float(env("REDIS_TIMEOUT", "0.5")),
}
# Local memory (one process): room for every page of a small site (Django's default is 300 entries).
_LOCAL = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 20_000}}
CACHES = {"default": {**_LOCAL, "LOCATION": "default"}, "counters": {**_LOCAL, "LOCATION": "counters"}}
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "portal.cache_backend.FailSoftRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "portal"),
        "OPTIONS": REDIS_OPTIONS,
    }
if COUNTERS_REDIS_URL:
    CACHES["counters"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": COUNTERS_REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "portal") + "-counters",
        "OPTIONS": REDIS_OPTIONS,
    }

# The page cache (portal/cache.py): anonymous pages per address, purged per address, checked against the
# purges recorded in the database. PAGE_CACHE_SECONDS bounds what time alone changes (an event starting).
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "300"))
# Public pages' Cache-Control for browsers and shared caches (a CDN, Varnish) in front of the site.
PAGE_CACHE_BROWSER_SECONDS = int(env("PAGE_CACHE_BROWSER_SECONDS", "60"))
PAGE_CACHE_SHARED_SECONDS = int(env("PAGE_CACHE_SHARED_SECONDS", "300"))
# Also how long, after a purge, other visitors may get the previous copy while one renders the new one.
PAGE_CACHE_STALE_SECONDS = int(env("PAGE_CACHE_STALE_SECONDS", "60"))
# Free-text searches (`q`) are stored in at most this many places per address.
PAGE_CACHE_SEARCH_SLOTS = int(env("PAGE_CACHE_SEARCH_SLOTS", "32"))
PAGE_CACHE_EXCLUDED_PATHS = [
    "/admin/",
    "/django-admin/",
    "/account/",
    "/involvement/",
    "/events/manage/",
    "/applications/",
    "/stripe/",
    "/documents/",
    "/api/",
    "/__bench__/",
]
# Query parameters of views that are not pages (pages list theirs as `cache_query_params`).
PAGE_CACHE_QUERY_PARAMS = ["q", "page"]
# Purged with every page that is published, unpublished, moved or deleted: what lists pages site-wide.
PAGE_CACHE_LISTING_PATHS = [
    "/sitemap.xml",
    "/search/",
    "/feeds/guidance.rss",
    "/feeds/guidance.atom",
    "/events/feed.ics",
    "/robots.txt",
]
# The apps whose code and templates make the release in every page-cache key (with Wagtail's version).
PAGE_CACHE_RELEASE_APPS = PROJECT_APPS
# Writes to these apps or models never change a public page: they purge nothing. A write to any other
# model that no service maps to addresses (`portal.cache.purging`) purges the whole site.
PAGE_CACHE_IGNORE = [
    "portal",
    "migrations",
    "sessions",
    "admin",
    "contenttypes",
    "django_tasks_database",
    "wagtailadmin",
    "wagtailusers",
    "wagtailcore.revision",
    "wagtailcore.modellogentry",
    "wagtailcore.pagelogentry",
    "wagtailcore.referenceindex",
    "wagtailcore.workflowstate",
    "wagtailcore.taskstate",
    "wagtailcore.pagesubscription",
    "wagtailcore.comment",
    "wagtailcore.commentreply",
    "wagtailimages.rendition",
    "wagtailsearch",
    "modelsearch",
    "home.feedbacksubmission",
    "payments.involvementclaim",
    "payments.claimexpense",
    "payments.contributorprofile",
    "payouts",
]

# Background work: immediate by default; TASKS_BACKEND=database puts tasks in the shared database
# for `manage.py db_worker` processes to run.
if env("TASKS_BACKEND", "immediate") == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}


def _email_settings():
    """EMAIL_URL: smtp://user:pass@host:587?tls=1, or console:// (the default)."""
    from urllib.parse import parse_qs, unquote, urlparse

    url = env("EMAIL_URL", "console://")
    parsed = urlparse(url)
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme in {"smtp", "smtps"}:
        query = parse_qs(parsed.query)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 587),
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": parsed.scheme == "smtps",
            "EMAIL_USE_TLS": parsed.scheme == "smtp" and query.get("tls", ["1"])[0] != "0",
        }
    raise ImproperlyConfigured(f"EMAIL_URL scheme {parsed.scheme!r} is not supported (console, smtp, smtps)")


globals().update(_email_settings())
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Co-production Portal <hello@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Security defaults that hold everywhere; production.py adds HTTPS-only settings.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Wagtail marks its own preview views SAMEORIGIN; everything else may not be framed.
X_FRAME_OPTIONS = "DENY"
# Embeds (video) are the only third-party frames a guidance page may show.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data: https:",
    "frame-src": "https://www.youtube-nocookie.com https://www.youtube.com https://player.vimeo.com",
    "style-src": "'self' 'unsafe-inline'",
    "script-src": "'self'",
    "form-action": "'self' https://connect.stripe.com",
    "frame-ancestors": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}

WAGTAIL_SITE_NAME = env("WAGTAIL_SITE_NAME", "Co-production Portal")
# Where the admin's e-mails link to; `make run` serves at HOST:PORT (default 127.0.0.1:8000).
WAGTAILADMIN_BASE_URL = env(
    "WAGTAILADMIN_BASE_URL", f"http://{env('HOST', '127.0.0.1')}:{env('PORT', '8000')}"
)
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
# SEARCH_URL (portal/settings/backends.py): Wagtail's database backend by default (PostgreSQL full-text
# search on PostgreSQL), or Elasticsearch / OpenSearch with no code change.
WAGTAILSEARCH_BACKENDS = search_backends(env("SEARCH_URL"))
# Frontend caches (Varnish/Squid HTTP PURGE, Cloudflare, CloudFront) that publishing purges.
WAGTAILFRONTENDCACHE = frontend_caches(os.environ)
WAGTAIL_I18N_ENABLED = False
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAILAPI_BASE_URL = WAGTAILADMIN_BASE_URL

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# How many proxies in front of the app append the client's address to X-Forwarded-For. 0: the app is
# reached directly and the header is ignored (anyone can write it). See portal.http.client_ip.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))

# Sign-in throttling (accounts.throttle): after this many failed sign-ins for one e-mail address, or
# from one client address, within the window, signing in is refused until the window has passed.
LOGIN_THROTTLE_ACCOUNT = (
    int(env("LOGIN_THROTTLE_ACCOUNT_COUNT", "10")),
    int(env("LOGIN_THROTTLE_ACCOUNT_SECONDS", "900")),
)
LOGIN_THROTTLE_ADDRESS = (
    int(env("LOGIN_THROTTLE_ADDRESS_COUNT", "50")),
    int(env("LOGIN_THROTTLE_ADDRESS_SECONDS", "900")),
)
AUTHENTICATION_BACKENDS = ["accounts.backends.ThrottledModelBackend"]
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.AdminLoginForm"

# Feedback on guidance drafts: at most this many submissions per address per window.
FEEDBACK_RATE_LIMIT = (
    int(env("FEEDBACK_RATE_LIMIT_COUNT", "5")),
    int(env("FEEDBACK_RATE_LIMIT_SECONDS", "600")),
)
# Suggested resources: at most this many suggestions per address per window.
SUGGESTION_RATE_LIMIT = (
    int(env("SUGGESTION_RATE_LIMIT_COUNT", "5")),
    int(env("SUGGESTION_RATE_LIMIT_SECONDS", "3600")),
)

# Stripe Connect. Without STRIPE_SECRET_KEY the Stripe payout method is hidden and everything else works.
# STRIPE_API_BASE sends API calls elsewhere (the tests' local fake Stripe server).
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = env("STRIPE_API_BASE", "")
STRIPE_TIMEOUT_SECONDS = float(env("STRIPE_TIMEOUT_SECONDS", "20"))
STRIPE_CONNECT_COUNTRY = env("STRIPE_CONNECT_COUNTRY", "GB")

# Row locks (portal.locking): a change that waits longer than this for another's lock is refused with a
# "try again" message instead of hanging (PostgreSQL's lock_timeout).
ROW_LOCK_TIMEOUT_SECONDS = float(env("ROW_LOCK_TIMEOUT_SECONDS", "10"))

# Events: reminders go this many hours before the start (send_event_reminders, run every few minutes);
# access information is kept this many days after an event when the person agreed, else one day.
EVENTS_REMINDER_HOURS_BEFORE = int(env("EVENTS_REMINDER_HOURS_BEFORE", "48"))
EVENTS_ACCESS_RETENTION_DAYS = int(env("EVENTS_ACCESS_RETENTION_DAYS", "90"))
# Days within which a coordinator aims to decide a submitted claim: the contributor is told the date
# (payments/expectations.py), and after it the claim's page says the decision is late and whom to ask.
PAYMENTS_DECIDE_WITHIN_DAYS = int(env("PAYMENTS_DECIDE_WITHIN_DAYS", "10"))
# Event registrations (each can e-mail any address) allowed per client address per window.
EVENTS_REGISTER_RATE_LIMIT = (
    int(env("EVENTS_REGISTER_RATE_LIMIT_COUNT", "10")),
    int(env("EVENTS_REGISTER_RATE_LIMIT_SECONDS", "3600")),
)
# Get involved: how long applicants' access needs and monitoring answers are kept once decided, and
# how many applications one address may send in an hour.
OPPORTUNITIES_ACCESS_RETENTION_DAYS = int(env("OPPORTUNITIES_ACCESS_RETENTION_DAYS", "180"))
OPPORTUNITIES_APPLY_RATE_LIMIT = (int(env("OPPORTUNITIES_APPLY_RATE_LIMIT", "5")), 3600)

# The schedule (`manage.py run_schedule`, portal/scheduler.py): every periodic command, each either
# `every_minutes` (slots at multiples of that many minutes from 00:00 UTC) or `daily_at` (local time in
# TIME_ZONE, Europe/London). Each slot runs once however many schedulers are running.
SCHEDULE = {
    "send_event_reminders": {"command": "send_event_reminders", "every_minutes": 5},
    "send_feedback_requests": {"command": "send_feedback_requests", "every_minutes": 15},
    "reconcile_payouts": {"command": "reconcile_payouts", "every_minutes": 10},
    "send_late_payment_notices": {"command": "send_late_payment_notices", "daily_at": "09:15"},
    "purge_access_needs": {"command": "purge_access_needs", "daily_at": "03:10"},
    "purge_application_access_needs": {"command": "purge_application_access_needs", "daily_at": "03:20"},
    "forget_scheduled_runs": {"command": "forget_scheduled_runs", "daily_at": "03:40"},
}
# How long the record of each scheduled run is kept (forget_scheduled_runs).
SCHEDULE_HISTORY_DAYS = int(env("SCHEDULE_HISTORY_DAYS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.observability.RequestIdFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Every page save enqueues search and reference-index tasks; their progress is noise.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
