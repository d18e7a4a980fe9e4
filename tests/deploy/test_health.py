"""/healthz and /readyz: cheap, never cached, exempt from the host check and the HTTPS redirect, 503 with
the database down, silent at INFO."""

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from portal import health

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_process_state(monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(health, "_warned_at", -60.0)


def body(response):
    return json.loads(response.content)


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_reports_database_migrations_and_caches(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/json"
    assert body(response) == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "cache_default": "ok", "cache_counters": "ok"},
    }


@pytest.mark.django_db
def test_the_migrations_check_runs_once_per_process(client, monkeypatch):
    assert client.get("/readyz").status_code == 200
    built = []
    monkeypatch.setattr(
        "django.db.migrations.executor.MigrationExecutor.__init__", lambda *a, **k: built.append(1)
    )
    assert client.get("/readyz").status_code == 200
    assert built == []


@pytest.mark.django_db
def test_readyz_is_503_while_migrations_are_pending(client, monkeypatch):
    monkeypatch.setattr(
        "django.db.migrations.executor.MigrationExecutor.migration_plan", lambda self, targets: [("m", False)]
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert body(response)["checks"]["migrations"] == "1 pending"
    monkeypatch.undo()
    monkeypatch.setattr(health, "_warned_at", -60.0)
    assert client.get("/readyz").status_code == 200  # checked again until it passes


@pytest.mark.django_db
def test_readyz_is_503_with_the_database_down(client, monkeypatch, caplog):
    def refuse(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    with caplog.at_level(logging.INFO):
        response = client.get("/readyz")
        client.get("/readyz")
    assert response.status_code == 503
    assert response["Cache-Control"] == "no-store"
    assert body(response)["status"] == "not ready"
    assert body(response)["checks"]["database"] == "unavailable: OperationalError"
    assert "migrations" not in body(response)["checks"]
    # One warning with the reason, not Django's ERROR for every failing probe.
    assert [(r.levelname, r.name) for r in caplog.records] == [("WARNING", "portal.health")]
    assert "OperationalError" in caplog.records[0].getMessage()


def test_readyz_is_503_when_the_database_port_is_closed(tmp_path):
    """A real refused connection, not a patched one: PostgreSQL on a port nobody listens on."""
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz'); print(r.status_code, json.loads(r.content)['checks']['database'])"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TEST_REDIS_URL"}},
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/closed",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "503 unavailable: OperationalError"


@pytest.mark.django_db
def test_a_cache_that_is_down_is_reported_degraded_and_still_ready(client, monkeypatch):
    from django.core.cache import caches

    def fail(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(caches["counters"], "set", fail)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert body(response)["checks"]["cache_counters"] == "degraded"
    assert body(response)["checks"]["cache_default"] == "ok"


@pytest.mark.django_db
def test_readyz_reports_the_oldest_waiting_task_with_the_database_backend(client, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    assert body(client.get("/readyz"))["checks"]["oldest_waiting_task_seconds"] == 0

    from portal.mail import send_email

    result = send_email.enqueue(subject="s", to=["x@example.org"], text="m")
    DBTaskResult.objects.filter(id=result.id).update(enqueued_at=timezone.now() - timedelta(minutes=10))
    waiting = body(client.get("/readyz"))["checks"]["oldest_waiting_task_seconds"]
    assert 600 <= waiting < 660


@pytest.mark.django_db
def test_probes_are_exempt_from_the_host_check_and_the_https_redirect(client, settings):
    settings.ALLOWED_HOSTS = ["portal.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.0.3.7:8000")
        assert response.status_code == 200, path
    # Everything else still is checked and redirected.
    assert client.get("/", HTTP_HOST="10.0.3.7:8000").status_code == 400
    assert client.get("/", HTTP_HOST="portal.example.org").status_code == 301


@pytest.mark.django_db
def test_probes_bypass_the_page_cache(client, home_page):
    assert client.get("/").get("X-Page-Cache") == "miss"  # the page cache is on
    for path in ("/readyz", "/readyz", "/healthz", "/healthz"):
        response = client.get(path)
        assert response.status_code == 200
        assert not response.has_header("X-Page-Cache")
        assert response["Cache-Control"] == "no-store"
        assert "Cookie" not in response.get("Vary", "")


@pytest.mark.django_db
def test_probes_are_not_logged_at_info(client, caplog):
    with caplog.at_level(logging.DEBUG):
        client.get("/healthz")
        client.get("/readyz")
        client.head("/readyz")
    assert [r for r in caplog.records if r.levelno >= logging.INFO] == []


def test_other_methods_are_refused_plainly(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
