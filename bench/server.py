"""What every bench mode shares: gunicorn serving the site under the bench settings, and plain requests."""

import concurrent.futures
import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "portal.settings.bench"
BARE = "/__bench__/bare/"
FLUSH = "/__bench__/flush/"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port, workers, env=None):
    """gunicorn on 127.0.0.1:`port`; `env` adds or overrides environment variables (TASKS_BACKEND)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, **(env or {})}
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
        "--timeout",
        "120",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def warm_workers(port, workers):
    """Concurrent requests to the bare view until every worker has answered a few: a new worker's first
    request loads the URLs, templates and the site (seconds), which no measurement should include."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=4 * workers) as pool:
        for _ in range(3):
            list(pool.map(lambda _n: request(port, BARE), range(8 * workers)))


@contextlib.contextmanager
def serving(workers, env=None):
    """A gunicorn server for the duration of the block, its workers warm; yields its port."""
    port = free_port()
    proc = start_server(port, workers, env)
    try:
        warm_workers(port, workers)
        yield port
    finally:
        stop_server(proc)


def request(port, path, uncached=False, method="GET"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "127.0.0.1"}
    if uncached:
        headers["X-Bench-Uncached"] = "1"
    conn.request(method, path, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def flush(port):
    """Empties every configured cache alias of the server (bench.urls.flush)."""
    status = request(port, FLUSH, method="POST")
    if status != 200:
        raise SystemExit(f"POST {FLUSH} answered {status}")


def measure(port, path, seconds, warmup=3, uncached=False):
    """Sequential requests to `path` for `seconds` (after `warmup` requests): requests per second."""
    for _ in range(warmup):
        request(port, path, uncached)
    count = 0
    started = time.perf_counter()
    while True:
        status = request(port, path, uncached)
        if status >= 400:
            raise SystemExit(f"{path} answered {status}")
        count += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds and count >= 5:
            return count / elapsed


def caches_described():
    """The configured caches, as the reports print them: default=RedisCache, or a local-memory cache
    with its MAX_ENTRIES."""
    from django.conf import settings

    described = []
    for alias, conf in settings.CACHES.items():
        backend = conf["BACKEND"].rsplit(".", 1)[-1]
        if backend == "LocMemCache":
            backend += f" (MAX_ENTRIES {conf.get('OPTIONS', {}).get('MAX_ENTRIES', 300)})"
        described.append(f"{alias}={backend}")
    return ", ".join(described)


def local_memory_cache():
    """Whether a cache alias is per process (a flush or a change made elsewhere does not reach it)."""
    from django.conf import settings

    return any(conf["BACKEND"].endswith("LocMemCache") for conf in settings.CACHES.values())
