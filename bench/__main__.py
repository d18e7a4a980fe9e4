"""`make bench`: requests/second of real pages, as ratios to a bare Django view served the same way.

1. Prepares a database (bench/.data/bench.sqlite3, or BENCH_DATABASE_URL): migrate, demo data, then each
   app's `<app>.bench.setup()` for its large data set (idempotent, so later runs reuse it; --fresh starts over).
2. Counts the SQL queries of each scenario in-process, rendered (the shared page cache skipped).
3. Serves the site with gunicorn (DEBUG off) and sends each scenario sequential requests for a fixed
   time, after a warm-up; the bare view is measured in the same run before the first scenario and after
   each one, and a scenario's ratios use the mean of the two bare measurements either side of it (printed
   beside it), so a machine that drifts during the run (seen here: the bare view 2,085 req/s at the start
   and 1,218 at the end) compares each page with the bare view of its own minute. Each scenario is measured twice:
   served from the shared page cache (as anonymous visitors get it) and rendered, with the page cache
   skipped (header X-Bench-Uncached, honoured only under the bench settings). With REDIS_URL set the
   cache is Redis, as in production; BENCH_DATABASE_URL=postgres://... and --workers 2 give the
   production shape.
4. Times each app's non-HTTP `measurements()` (best of three).
Steps 2-4 are the default mode, --pages. Other modes (flags; any combination; see bench/README.md):
--mixed   random reads of 200-odd public addresses with wrk, alone and while registrations arrive and
          an editor publishes: throughput and p50/p99/max latency of both, their ratios (bench/mixed.py).
          Needs wrk (Debian: apt-get install wrk); the bench says so and stops if it is missing.
--cold    pages rendered on a flushed shared cache, the process warm (bench/cold.py).
--registrations  concurrent registrations for one event, e-mails sent in the request and then queued,
          and a check that nobody was overbooked (bench/registrations.py).
"""

import argparse
import importlib
import os
import shutil
import statistics
import sys
import time

from bench.server import ROOT, SETTINGS, free_port, measure, start_server, stop_server

DATA = ROOT / "bench" / ".data"
APPS = ["home", "library", "events", "payments", "opportunities"]


def bench_modules():
    for label in APPS:
        try:
            yield importlib.import_module(f"{label}.bench")
        except ModuleNotFoundError as exc:
            if exc.name != f"{label}.bench":
                raise


def prepare(fresh):
    from django.core.management import call_command

    if fresh and DATA.exists() and not os.environ.get("BENCH_DATABASE_URL"):
        shutil.rmtree(DATA)
    DATA.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("load_demo_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    for module in bench_modules():
        if hasattr(module, "setup"):
            started = time.perf_counter()
            module.setup(sys.stdout)
            print(f"  set up {module.__name__} in {time.perf_counter() - started:.1f} s")


def scenarios():
    found = [{"name": "bare Django view", "path": "/__bench__/bare/"}]
    for module in bench_modules():
        if hasattr(module, "scenarios"):
            found.extend(module.scenarios())
    return found


def count_queries(path):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_BENCH_UNCACHED="1")
    client.get(path)  # warm caches that are legitimately warm in production (content types, site)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response.status_code, len(ctx.captured_queries)


def run_pages(args):
    """The default mode: each scenario sequentially, cached and rendered, as ratios to the bare view."""
    chosen = [
        s
        for s in scenarios()
        if not args.only or args.only in s["name"] or s["path"].startswith("/__bench__")
    ]
    queries = {s["path"]: count_queries(s["path"]) for s in chosen}
    for s in chosen:
        status, _n = queries[s["path"]]
        if status != 200:
            raise SystemExit(f"{s['name']} ({s['path']}) answered {status} in-process")

    port = free_port()
    server = start_server(port, args.workers)
    try:
        bares = [measure(port, "/__bench__/bare/", args.seconds)]
        results = []
        for s in chosen[1:]:
            cached = measure(port, s["path"], args.seconds)
            uncached = measure(port, s["path"], args.seconds, uncached=True)
            bares.append(measure(port, "/__bench__/bare/", args.seconds))
            results.append((s, cached, uncached, statistics.mean(bares[-2:])))
    finally:
        stop_server(server)
    bare = statistics.mean(bares)

    print()
    from django.conf import settings
    from django.db import connection

    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"gunicorn, {args.workers} sync worker(s), sequential requests, {args.seconds:.0f} s each")
    print(f"database: {connection.vendor}; shared cache: {cache_backend}")
    print(
        f"bare Django view: {bare:8.1f} req/s on average ({min(bares):.1f} to {max(bares):.1f} over"
        f" {len(bares)} measurements); each ratio is to the bare view measured either side of its scenario"
    )
    print()
    width = max([len(s["name"]) for s, *_rest in results] + [8])
    print(
        f"{'scenario':<{width}} {'bare req/s':>11} {'cached req/s':>13} {'ratio':>7} {'uncached req/s':>15}"
        f" {'ratio':>7} {'queries':>8}"
    )
    for s, cached, uncached, near in results:
        print(
            f"{s['name']:<{width}} {near:11.1f} {cached:13.1f} {cached / near:7.3f} {uncached:15.1f}"
            f" {uncached / near:7.3f} {queries[s['path']][1]:>8}"
        )

    timings = []
    for module in bench_modules():
        if hasattr(module, "measurements"):
            for name, fn in module.measurements():
                if args.only and args.only not in name:
                    continue
                runs = []
                for _ in range(3):
                    started = time.perf_counter()
                    fn()
                    runs.append(time.perf_counter() - started)
                timings.append((name, min(runs)))
    if timings:
        print()
        width = max(len(name) for name, _ in timings)
        print(f"{'measurement':<{width}} {'best of 3':>11}")
        for name, seconds in timings:
            print(f"{name:<{width}} {seconds * 1000:8.1f} ms")


def main():
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    modes = parser.add_argument_group("modes (any combination, run in this order; none given: --pages)")
    modes.add_argument(
        "--pages", action="store_true", help="each page scenario, cached and rendered (the default)"
    )
    modes.add_argument("--mixed", action="store_true", help="random reads with wrk, with and without writes")
    modes.add_argument("--cold", action="store_true", help="pages rendered on a flushed shared cache")
    modes.add_argument(
        "--registrations", action="store_true", help="concurrent registrations, e-mails sent or queued"
    )
    common = parser.add_argument_group("every mode")
    common.add_argument("--workers", type=int, default=1, help="gunicorn worker processes (1)")
    common.add_argument("--fresh", action="store_true", help="rebuild the bench database from scratch")
    common.add_argument(
        "--resources",
        type=int,
        default=10_000,
        help="resources in the library (10,000); another number is a SQLite database of its own,"
        " bench/.data/bench-N.sqlite3 (with BENCH_DATABASE_URL, give each size its own database)",
    )
    pages = parser.add_argument_group("--pages and --cold")
    pages.add_argument("--seconds", type=float, default=4.0, help="measuring time per scenario or page (4)")
    pages.add_argument("--only", help="only the scenarios or pages whose name contains this text")
    mixed = parser.add_argument_group("--mixed")
    mixed.add_argument(
        "--window", type=float, default=120.0, help="seconds of each read-only and mixed window (120)"
    )
    mixed.add_argument("--runs", type=int, default=3, help="runs; the medians are reported (3)")
    mixed.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (2)")
    mixed.add_argument("--wrk-connections", type=int, default=8, help="wrk connections (8)")
    mixed.add_argument(
        "--bare-seconds",
        type=float,
        default=10.0,
        help="wrk on the bare view either side of each window (10)",
    )
    mixed.add_argument(
        "--registration-rate", type=float, default=0.5, help="registrations a second while mixed (0.5)"
    )
    mixed.add_argument(
        "--publish-every", type=float, default=60.0, help="seconds between an editor's publishes (60)"
    )
    registering = parser.add_argument_group("--registrations")
    registering.add_argument("--clients", type=int, default=16, help="concurrent registering clients (16)")
    registering.add_argument(
        "--registration-seconds",
        type=float,
        default=20.0,
        help="time registering, e-mails sent and then queued (20 each)",
    )
    args = parser.parse_args()
    if not (args.pages or args.mixed or args.cold or args.registrations):
        args.pages = True

    if args.mixed:
        from bench.mixed import check_wrk

        check_wrk()  # before the minutes of preparing

    if args.resources < 1:
        parser.error("--resources must be at least 1")
    # Read by the bench settings (which database file) and by library.bench (how many resources); the
    # servers the bench starts inherit it.
    os.environ["BENCH_RESOURCES"] = str(args.resources)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()

    print("Preparing the bench database ...")
    prepare(args.fresh)
    if args.pages:
        run_pages(args)
    if args.mixed:
        from bench import mixed

        mixed.run(args)
    if args.cold:
        from bench import cold

        cold.run(args)
    if args.registrations:
        from bench import registrations

        registrations.run(args)


if __name__ == "__main__":
    main()
