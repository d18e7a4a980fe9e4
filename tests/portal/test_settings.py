"""Settings come from the environment; production refuses to start insecure and passes check --deploy."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal_deploy_check",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "MEDIA_ROOT": "/srv/portal/media",
    "PRIVATE_MEDIA_ROOT": "/srv/portal/private",
    "STATIC_ROOT": "/srv/portal/static",
}


def test_production_settings_pass_check_deploy():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "override, message",
    [
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": "sqlite:///tmp.db"}, "DATABASE_URL"),
        ({"REDIS_URL": ""}, "REDIS_URL"),
        ({"MEDIA_ROOT": ""}, "MEDIA_ROOT"),
        ({"PRIVATE_MEDIA_ROOT": ""}, "PRIVATE_MEDIA_ROOT"),
        ({"STATIC_ROOT": ""}, "STATIC_ROOT"),
    ],
)
def test_production_refuses_to_start_without_what_it_needs(override, message):
    env = {**PRODUCTION, **override}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_embedded_default_needs_no_variables():
    env = {"DJANGO_SETTINGS_MODULE": "portal.settings.dev"}
    result = run_manage("shell", "-c", _PRINT_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "sqlite3" in out
    assert "console.EmailBackend" in out
    assert "ImmediateBackend" in out
    assert "LocMemCache" in out


_PRINT_SETTINGS = (
    "from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.EMAIL_BACKEND, s.TASKS['default']['BACKEND'], "
    "s.CACHES['default']['BACKEND'])"
)


def test_environment_switches_to_postgres_redis_smtp_and_database_tasks():
    env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DATABASE_URL": "postgres://u:p@db.example:5432/portal",
        "REDIS_URL": "redis://cache.example:6379/1",
        "EMAIL_URL": "smtp://mailer:secret@smtp.example:587",
        "TASKS_BACKEND": "database",
    }
    result = run_manage("shell", "-c", _PRINT_SETTINGS + "; print(s.EMAIL_HOST, s.EMAIL_USE_TLS)", **env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "postgresql" in out
    assert "smtp.EmailBackend" in out
    assert "django_tasks_db.DatabaseBackend" in out
    assert "RedisCache" in out
    assert "smtp.example True" in out


def test_public_pages_send_security_headers(client, home_page):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
