"""Settings for `make bench`: production-like (DEBUG off, compiled templates, whitenoise) on a local database.

BENCH_DATABASE_URL picks the database (default: a SQLite file under bench/.data/).
"""

import dj_database_url

from .base import *  # noqa: F403
from .base import BASE_DIR, CACHES, env

DEBUG = False
SECRET_KEY = "bench-only-key-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
# `make bench BENCH_ARGS="--resources N"`: a library of N resources, in a SQLite file of its own.
BENCH_RESOURCES = int(env("BENCH_RESOURCES", "10000"))
_BENCH_FILE = "bench.sqlite3" if BENCH_RESOURCES == 10_000 else f"bench-{BENCH_RESOURCES}.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env("BENCH_DATABASE_URL", f"sqlite:///{BASE_DIR / 'bench' / '.data' / _BENCH_FILE}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",  # as the embedded default (portal/settings/base.py)
    }
# Static files are collected and served by whitenoise, as in production.
STATIC_ROOT = BASE_DIR / "bench" / ".data" / "static"
MEDIA_ROOT = BASE_DIR / "bench" / ".data" / "media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# `--registrations` and `--mixed` register thousands of times from 127.0.0.1: lift the per-address limit.
EVENTS_REGISTER_RATE_LIMIT = (10**9, 60)
# Requests carrying this header skip the shared page cache, so one run prints cached and uncached figures.
PAGE_CACHE_BYPASS_HEADER = "HTTP_X_BENCH_UNCACHED"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Without REDIS_URL the cache is local memory, whose default MAX_ENTRIES (300) the 200-odd pages of
# `--mixed` and their pieces overflow: it culls a third at a time and nearly every read misses. The
# bench keeps room for the whole site, as Redis does, so it measures the cache rather than its culling.
for _cache in CACHES.values():
    if _cache["BACKEND"].endswith("LocMemCache"):
        _cache.setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 100_000)
