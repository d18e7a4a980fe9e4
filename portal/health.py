"""Liveness and readiness for load balancers and orchestrators: ``/healthz`` and ``/readyz``.

Answered by ``HealthCheckMiddleware``, placed before Django's security and common middleware, so a probe
that asks by the container's address over plain HTTP gets its answer: no host check (``ALLOWED_HOSTS``),
no HTTPS redirect, no page cache, no session, no URL pattern (the fuzz test's walk never meets them).
Both say ``Cache-Control: no-store`` and log nothing at INFO: a failing ``/readyz`` logs one WARNING a
minute with its reason.

- ``/healthz``: the process answers. 200, ``ok``; touches nothing else.
- ``/readyz``: 200 when the database answers, every migration is applied (once true, remembered for the
  life of the process) and the cache answers; 503 when the database is down or migrations are pending. A
  cache that is down leaves the site serving uncached pages (portal/cache_backend.py), so it is reported
  as ``"degraded"`` with 200. With the database task backend, the age of the oldest task waiting to run
  is reported (``oldest_waiting_task_seconds``), so a stuck or missing worker shows.
"""

import json
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse
from django.utils import timezone

logger = logging.getLogger(__name__)

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"
PATHS = (LIVENESS_PATH, READINESS_PATH)

_migrated = False  # once every migration is applied it stays so for this process
_warned_at = -60.0


def _no_store(response):
    response["Cache-Control"] = "no-store"
    # Django's handler logs every response of 400 or more (django.request, ERROR for a 503); a probe
    # failing every few seconds would flood the log, so readiness logs its own reason once a minute.
    response._has_been_logged = True
    return response


def database_check(alias=DEFAULT_DB_ALIAS):
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def migrations_check(alias=DEFAULT_DB_ALIAS):
    """``"ok"`` or how many migrations are pending; the full check runs until it first passes."""
    global _migrated
    if _migrated:
        return "ok"
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        return f"{len(pending)} pending"
    _migrated = True
    return "ok"


def cache_check(alias):
    """``"ok"`` when a value written to the cache reads back; ``"degraded"`` otherwise (the fail-soft
    backend answers as an empty cache while Redis is down; pages are rendered instead)."""
    cache = caches[alias]
    key = "readyz-probe"
    value = str(time.monotonic())
    try:
        cache.set(key, value, 30)
        return "ok" if cache.get(key) == value else "degraded"
    except Exception:  # a cache that raises is down, and the site works without it
        return "degraded"


def oldest_waiting_task_seconds():
    """Seconds since the oldest task that is ready to run was enqueued, 0 with none waiting, None when
    tasks do not go through the database."""
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if backend != "django_tasks_db.DatabaseBackend":
        return None
    from django_tasks_db.models import DBTaskResult

    oldest = (
        DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    )
    return 0 if oldest is None else max(0, round((timezone.now() - oldest).total_seconds()))


def readiness():
    """(ready, checks): the checks as shown in /readyz's body."""
    checks = {}
    try:
        checks["database"] = database_check()
    except Exception as exc:  # any failure to reach the database means not ready
        checks["database"] = f"unavailable: {type(exc).__name__}"
    if checks["database"] == "ok":
        try:
            checks["migrations"] = migrations_check()
            waiting = oldest_waiting_task_seconds()
            if waiting is not None:
                checks["oldest_waiting_task_seconds"] = waiting
        except Exception as exc:  # the database went away between two queries
            checks["migrations"] = f"unknown: {type(exc).__name__}"
    for alias in settings.CACHES:
        checks[f"cache_{alias}"] = cache_check(alias)
    ready = checks["database"] == "ok" and checks.get("migrations") == "ok"
    return ready, checks


def _warn(checks):
    global _warned_at
    if time.monotonic() - _warned_at >= 60:
        _warned_at = time.monotonic()
        logger.warning("Not ready (logged once a minute): %s", json.dumps(checks, sort_keys=True))


class HealthCheckMiddleware:
    """Answers /healthz and /readyz itself (GET and HEAD); every other request passes through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path not in PATHS:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse("Use GET.\n", status=405, content_type="text/plain")
            response["Allow"] = "GET, HEAD"
            return _no_store(response)
        if request.path == LIVENESS_PATH:
            return _no_store(HttpResponse("ok\n", content_type="text/plain"))
        ready, checks = readiness()
        if not ready:
            _warn(checks)
        body = json.dumps({"status": "ready" if ready else "not ready", "checks": checks}) + "\n"
        return _no_store(HttpResponse(body, status=200 if ready else 503, content_type="application/json"))
