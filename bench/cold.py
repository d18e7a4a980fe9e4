"""`make bench BENCH_ARGS=--cold`: pages rendered on a cold shared cache, the process warm.

Before each timed request the driver POSTs /__bench__/flush/ (bench.urls.flush: every cache alias
cleared), then times only the page request: requests/second of rendering from nothing but the
database, as after a deploy, a cache restart or a purge of everything. The bare view is measured
(sequentially, as in the default mode) before the first page and after each one; each page's ratio is
to the mean of the two bare measurements either side of it. SQL queries per page are counted
in-process the same way: one request to warm the process (content types, the site), every cache
alias cleared, then the counted request (no bypass header: the page cache's own reads count).
"""

import statistics
import time

from bench.server import BARE, caches_described, flush, local_memory_cache, measure, request, serving


def pages():
    """(name, path) of the pages measured cold."""
    from events.bench import _busy_event_path
    from events.bench import _index as events_index
    from library.bench import FILTERED, _library

    library = _library().url
    return [
        ("home page", "/"),
        ("library page, filtered", f"{library}?{FILTERED}"),
        ("library page, search and filter", f"{library}?q=co-production&topic=power"),
        ("events index", events_index().url),
        ("event page", _busy_event_path()),
        ("guidance page", "/guidance/sharing-power/"),
    ]


def clear_caches():
    from django.core.cache import caches

    for alias in caches:
        caches[alias].clear()


def count_cold_queries(path):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(path)  # the process warm (content types, the site), as in a running server
    clear_caches()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response.status_code, len(ctx.captured_queries)


def measure_cold(port, path, seconds, warmup=2):
    """Requests/second of `path`, the shared cache flushed before each request (the flush not timed)."""
    for _ in range(warmup):
        flush(port)
        request(port, path)
    count = 0
    timed = 0.0
    while timed < seconds or count < 5:
        flush(port)
        started = time.perf_counter()
        status = request(port, path)
        timed += time.perf_counter() - started
        if status != 200:
            raise SystemExit(f"{path} answered {status} on a cold cache")
        count += 1
    return count / timed, count


def run(args):
    from django.db import connection

    chosen = [(name, path) for name, path in pages() if not args.only or args.only in name]
    queries = {}
    for name, path in chosen:
        status, n = count_cold_queries(path)
        if status != 200:
            raise SystemExit(f"{name} ({path}) answered {status} in-process")
        queries[path] = n

    if args.workers > 1 and local_memory_cache():
        print(
            "note: a LocMemCache with more than one worker: the flush empties only the worker that answers"
            " it, so some 'cold' requests may find a warm cache. Use --workers 1, or REDIS_URL."
        )

    with serving(args.workers) as port:
        bares = [measure(port, BARE, args.seconds)]
        results = []
        for name, path in chosen:
            rate, count = measure_cold(port, path, args.seconds)
            bares.append(measure(port, BARE, args.seconds))
            results.append((name, path, rate, count, statistics.mean(bares[-2:])))

    print()
    print(
        "Cold renders: the shared cache flushed before each request (the flush not timed), the process warm"
    )
    print(
        f"gunicorn, {args.workers} sync worker(s), sequential requests, {args.seconds:g} s of page time each;"
        f" database: {connection.vendor}; caches: {caches_described()}"
    )
    print(
        f"bare Django view: {statistics.mean(bares):.1f} req/s on average ({min(bares):.1f} to"
        f" {max(bares):.1f} over {len(bares)} measurements); each ratio is to the bare view either side"
    )
    print()
    width = max([len(name) for name, *_rest in results] + [8])
    print(
        f"{'page':<{width}} {'bare req/s':>11} {'cold req/s':>11} {'ratio':>7} {'goal':>6}"
        f" {'requests':>9} {'cold queries':>13}"
    )
    for name, path, rate, count, near in results:
        ratio = rate / near
        mark = "ok" if ratio >= 0.03 else "below"
        print(
            f"{name:<{width}} {near:11.1f} {rate:11.1f} {ratio:7.3f} {mark:>6} {count:>9} {queries[path]:>13}"
        )
    print("goal: cold req/s >= 0.03 x the bare view")
