#!/usr/bin/env bash
# Installs the portal as an operator would and checks it runs: the README's "Deploying" section, run.
#
#   deploy/install-and-check.sh [WHEEL_DIR]
#
# In a temporary folder outside the checkout: builds the wheel and installs it into a fresh virtualenv
# (deploy/install.sh, which the Dockerfile runs too); with the production settings against its own
# PostgreSQL database and Redis: migrate, collectstatic, check --deploy, the demo data, gunicorn and a
# task worker; then deploy/smoke_check.py visits every public page type, the probes, feeds and static
# files, signs in and registers for an event. Everything it made (virtualenv, folders, database, cache
# keys, processes) is removed on exit, pass or fail. WHEEL_DIR, if given, keeps the wheel.
#
# Environment: PKG_POSTGRES (default postgres://postgres@127.0.0.1:5432), PKG_DATABASE (portal_pkg),
# PKG_REDIS_URL (redis://127.0.0.1:6379/12; empty for none), PKG_PORT (8765), PYTHON (python3).
set -euo pipefail

src="$(cd "$(dirname "$0")/.." && pwd)"
pg="${PKG_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
database="${PKG_DATABASE:-portal_pkg}"
redis_url="${PKG_REDIS_URL-redis://127.0.0.1:6379/12}"  # empty: no Redis (local-memory caches)
port="${PKG_PORT:-8765}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/portal-install-check.XXXXXX")"
venv="$tmp/venv"
prefix="portal-pkg-$$"
pids=()
started=$(date +%s)

database_sql() {  # runs one statement on the server's maintenance database, with the installed psycopg
    "$venv/bin/python" -c 'import sys, psycopg
with psycopg.connect(sys.argv[1] + "/postgres", autocommit=True) as c: c.execute(sys.argv[2])' "$pg" "$1"
}

cleanup() {
    status=$?
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ -x "$venv/bin/python" ] && [ -n "$redis_url" ]; then
        "$venv/bin/python" -c 'import sys, redis
r = redis.Redis.from_url(sys.argv[1])
for key in r.scan_iter(match=f"*{sys.argv[2]}*"): r.delete(key)' "$redis_url" "$prefix" || true
    fi
    if [ -x "$venv/bin/python" ]; then
        database_sql "DROP DATABASE IF EXISTS $database WITH (FORCE)" || true
    fi
    if [ "$status" != 0 ] && [ -d "$tmp/logs" ]; then
        for log in "$tmp"/logs/*; do echo "== $log =="; tail -n 40 "$log"; done
    fi
    rm -rf "$tmp"
    echo "== install-and-check finished with status $status after $(( $(date +%s) - started )) s =="
}
trap cleanup EXIT

PORTAL_EXTRAS=demo "$src/deploy/install.sh" "$venv" "${1:-}"

echo "== A fresh database ($database) =="
database_sql "DROP DATABASE IF EXISTS $database WITH (FORCE)"
database_sql "CREATE DATABASE $database"

# The production environment, as the README's table lists it. Run from a folder of its own, so nothing
# can be imported from the checkout.
mkdir -p "$tmp/run" "$tmp/logs"
cd "$tmp/run"
export DJANGO_SETTINGS_MODULE=portal.settings.production
SECRET_KEY="$("$venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(60))')"
export SECRET_KEY
export ALLOWED_HOSTS="127.0.0.1,localhost"
export CSRF_TRUSTED_ORIGINS="https://127.0.0.1:$port"
export DATABASE_URL="$pg/$database"
if [ -n "$redis_url" ]; then export REDIS_URL="$redis_url"; else unset REDIS_URL; export ALLOW_LOCAL_CACHE=1; fi
export CACHE_KEY_PREFIX="$prefix"
export MEDIA_ROOT="$tmp/data/media" PRIVATE_MEDIA_ROOT="$tmp/data/private" STATIC_ROOT="$tmp/data/static"
export EMAIL_URL="console://" DEFAULT_FROM_EMAIL="Portal <hello@portal.example.org>"
export TASKS_BACKEND=database
export WAGTAILADMIN_BASE_URL="https://127.0.0.1:$port"
unset SENTRY_DSN PYTHONPATH

portal="$venv/bin/portal"
echo "== Installed, no default points into the installed code =="
(cd "$tmp/run" && env -u MEDIA_ROOT -u PRIVATE_MEDIA_ROOT -u STATIC_ROOT -u DATABASE_URL \
    DJANGO_SETTINGS_MODULE=portal.settings.dev "$portal" shell --no-imports -c '
from pathlib import Path
from django.conf import settings as s
import portal
code, here = Path(portal.__file__).resolve().parent.parent, Path.cwd()
for name, path in [("MEDIA_ROOT", s.MEDIA_ROOT), ("PRIVATE_MEDIA_ROOT", s.PRIVATE_MEDIA_ROOT),
                   ("STATIC_ROOT", s.STATIC_ROOT), ("SQLite", s.DATABASES["default"]["NAME"])]:
    path = Path(path).resolve()
    assert path.is_relative_to(here) and not path.is_relative_to(code), (name, path)
    print(f"ok  {name} defaults to {path}")
assert not s.STATICFILES_DIRS and not s.TEMPLATES[0]["DIRS"], "checkout folders named when installed"
')
echo "== portal migrate =="
"$portal" migrate --noinput >"$tmp/logs/migrate.log"
echo "== portal collectstatic =="
"$portal" collectstatic --noinput | tail -n 1
echo "== portal check --deploy =="
"$portal" check --deploy --fail-level WARNING
echo "== portal load_demo_data =="
"$portal" load_demo_data --address "https://127.0.0.1:$port" >"$tmp/logs/demo.log"

echo "== gunicorn and a task worker =="
"$venv/bin/gunicorn" -c python:portal.gunicorn portal.wsgi --bind "127.0.0.1:$port" --workers 2 \
    >"$tmp/logs/gunicorn.log" 2>&1 &
pids+=($!)
"$portal" db_worker --queue-name "*" >"$tmp/logs/worker.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do
    kill -0 "${pids[0]}" 2>/dev/null || { echo "gunicorn stopped" >&2; exit 1; }
    if "$venv/bin/python" -c 'import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=2)' "$port" 2>/dev/null; then
        break
    fi
    sleep 1
done

echo "== smoke check =="
"$venv/bin/python" "$src/deploy/smoke_check.py" "http://127.0.0.1:$port"

# gunicorn's own lines are JSON (portal/gunicorn.py).
"$venv/bin/python" -c 'import json, sys
lines = [line for line in open(sys.argv[1]) if line.strip()]
assert lines, "gunicorn logged nothing"
for line in lines: json.loads(line)' "$tmp/logs/gunicorn.log"
echo "== gunicorn logged JSON =="
