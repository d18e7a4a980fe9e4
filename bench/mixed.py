"""`make bench BENCH_ARGS=--mixed`: random reads of the public site, with and without writes going on.

Reads: wrk (`--wrk-threads` x `--wrk-connections`, --latency) sends each request to a path picked at
random from 200-odd public addresses: the home page, the library with 60 filter combinations built
from the bench database's own taxonomy slugs, 100 event pages, the events index, the guidance pages,
the opportunities index and pages, and 20 resource pages (bench/mixed_wrk.lua, the paths written in).
Each window is `--window` seconds (120 by default) and starts on a warm cache (one request to every
path first). Two windows per run:

- read-only: the reads alone;
- mixed: the same reads while (a) registrations arrive at `--registration-rate` a second (a thread
  here GETs an event page with a capacity, takes its csrftoken cookie and form token and POSTs a valid
  registration with a new e-mail address, spread over eight events; any answer that is not a redirect
  to the new place's manage page is an error), and (b) an editor publishes a resource every
  `--publish-every` seconds (first after 5 s): this process changes a resource page's title and
  summary and calls `save_revision().publish()` through Django's ORM under the bench settings. It
  reaches the servers through what they share: the database (the page cache's purges are recorded
  there) and, with REDIS_URL, the cache. With the local-memory cache, the servers do not see a cache
  change made in this process.

The bare view is measured with wrk the same way (`--bare-seconds`) before the first window and after
each; each window's ratio is to the mean of the two bare measurements either side. `--runs` runs (3
by default; their order alternates: read-only first, then mixed first), and the medians. The bench
registrations (…@mixed.bench.example.org) are deleted before each mixed window and at the end.
"""

import json
import random
import shutil
import statistics
import subprocess
import threading
import time
from urllib.parse import urlencode

from bench.registrations import delete_registrations
from bench.server import BARE, ROOT, caches_described, local_memory_cache, request, serving
from bench.visitor import Visitor, registered

DOMAIN = "mixed.bench.example.org"
LIBRARY_COMBINATIONS = 60
EVENT_PAGES = 100
OPPORTUNITY_PAGES = 20
RESOURCE_PAGES = 20
EDITED_RESOURCES = 5
REGISTRATION_EVENTS = 8
SCRIPT = ROOT / "bench" / ".data" / "mixed_wrk.lua"

WRK_MISSING = """wrk is not installed: `--mixed` drives its reads with wrk (https://github.com/wg/wrk).
On Debian or Ubuntu: sudo apt-get install wrk   (macOS: brew install wrk). The other modes do not need it."""


def check_wrk():
    if shutil.which("wrk") is None:
        raise SystemExit(WRK_MISSING)


def library_paths(url):
    """`url` with LIBRARY_COMBINATIONS different filter combinations of the bench taxonomy, and bare."""
    from library.models import Audience, ResourceType, Topic

    types = sorted(ResourceType.objects.values_list("slug", flat=True))
    topics = sorted(Topic.objects.values_list("slug", flat=True))
    audiences = sorted(Audience.objects.values_list("slug", flat=True))
    rng = random.Random(21)  # the same combinations every run
    found = {}
    while len(found) < LIBRARY_COMBINATIONS:
        params = [("type", s) for s in sorted(rng.sample(types, rng.choice([0, 0, 1, 1, 2])))]
        params += [("topic", s) for s in sorted(rng.sample(topics, rng.choice([0, 1, 1, 2])))]
        params += [("audience", s) for s in sorted(rng.sample(audiences, rng.choice([0, 0, 1])))]
        year = rng.choice([None, None, None, 2000, 2010, 2015, 2020])
        if year:
            params.append(("year_from", year))
        if rng.random() < 0.25:
            params.append(("free", 1))
        sort = rng.choice([None, None, "newest", "title"])
        if sort:
            params.append(("sort", sort))
        if rng.random() < 0.15:
            params.append(("page", 2))
        if params:
            query = urlencode(params)
            found[query] = f"{url}?{query}"
    return [url, *found.values()]


def _every(queryset, count):
    """`count` rows spread evenly over `queryset` (ordered by pk)."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    step = max(len(ids) // count, 1)
    return [queryset.model.objects.get(pk=pk) for pk in ids[::step][:count]]


def edited_resources():
    from library.bench import _library
    from library.models import ResourcePage

    return _every(ResourcePage.objects.child_of(_library()).live(), RESOURCE_PAGES)[:EDITED_RESOURCES]


def read_paths():
    """{group: [path, ...]} of the public addresses the reads pick from."""
    from events.bench import PREFIX as EVENT_PREFIX
    from events.bench import _index as events_index
    from events.models import EventPage
    from home.models import GuidanceIndexPage, GuidancePage
    from library.bench import _library
    from library.models import ResourcePage
    from opportunities.bench import PREFIX as OPPORTUNITY_PREFIX
    from opportunities.bench import _index as opportunities_index
    from opportunities.models import OpportunityPage

    events = events_index().url
    opportunities = opportunities_index().url
    guidance = [*GuidanceIndexPage.objects.live().public(), *GuidancePage.objects.live().public()]
    return {
        "home": ["/"],
        "library": library_paths(_library().url),
        "events index": [events, f"{events}?places_available=on"],
        "event pages": [
            p.url for p in _every(EventPage.objects.live().filter(slug__startswith=EVENT_PREFIX), EVENT_PAGES)
        ],
        "guidance": [p.url for p in guidance],
        "opportunities": [opportunities, f"{opportunities}?show=closed"],
        "opportunity pages": [
            p.url
            for p in _every(
                OpportunityPage.objects.live().filter(slug__startswith=OPPORTUNITY_PREFIX), OPPORTUNITY_PAGES
            )
        ],
        "resource pages": [
            p.url for p in _every(ResourcePage.objects.child_of(_library()).live(), RESOURCE_PAGES)
        ],
    }


def registration_events():
    """Paths of upcoming bench events with a capacity, a waiting list and registration open."""
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    from events.bench import PREFIX
    from events.models import EventPage

    now = timezone.now()
    events = (
        EventPage.objects.live()
        .filter(
            slug__startswith=PREFIX,
            capacity__isnull=False,
            waiting_list_enabled=True,
            status=EventPage.Status.SCHEDULED,
            start__gt=now + timedelta(days=2),
        )
        .filter(Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now))
        .filter(Q(registration_closes_at__isnull=True) | Q(registration_closes_at__gt=now))
    )
    chosen = _every(events, REGISTRATION_EVENTS)
    if not chosen:
        raise SystemExit("no upcoming bench event with a capacity to register for")
    return [event.url for event in chosen]


def write_script(paths, target):
    """A wrk script that GETs one of `paths`, picked at random, per request; its done() prints a line
    of JSON (BENCH {...}) with the counts and latencies."""
    for path in paths:
        if not path.isascii() or any(c in path for c in "\"'\\\n"):
            raise SystemExit(f"cannot put {path!r} in the wrk script")
    table = ",\n".join(f'  "{path}"' for path in paths)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        f"""-- Written by bench/mixed.py: each request GETs one of these paths, picked at random.
local paths = {{
{table}
}}
local threads = 0
-- The Host the other modes send (and the warm-up): the page cache keys pages by host, port included.
wrk.headers["Host"] = "127.0.0.1"

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0) * 7919)
  math.random(); math.random()
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {{"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d,'
    .. ' "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""
    )
    return target


def wrk(port, script, seconds, args):
    """Runs wrk; returns requests/s, latencies in ms and the error count."""
    cmd = [
        "wrk",
        f"-t{args.wrk_threads}",
        f"-c{args.wrk_connections}",
        f"-d{max(int(round(seconds)), 1)}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line[len("BENCH ") :])
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "requests": raw["requests"],
        "p50": raw["p50_us"] / 1000,
        "p90": raw["p90_us"] / 1000,
        "p99": raw["p99_us"] / 1000,
        "max": raw["max_us"] / 1000,
        "errors": sum(raw[k] for k in ("connect", "read", "write", "status", "timeout")),
        "error kinds": {k: raw[k] for k in ("connect", "read", "write", "status", "timeout") if raw[k]},
    }


def warm(port, paths):
    """One request to every path: each window starts on a warm cache, and every path must answer 200."""
    for path in paths:
        status = request(port, path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")


class Registrar(threading.Thread):
    """Registrations at `rate` a second over HTTP, round-robin over `events`, until stopped."""

    def __init__(self, port, events, rate, label):
        super().__init__(daemon=True)
        self.port, self.events, self.interval, self.label = port, events, 1 / rate, label
        self.stopping = threading.Event()
        self.made = 0
        self.errors = {}
        self.seconds = []

    def run(self):
        due = time.perf_counter()
        n = 0
        while not self.stopping.wait(max(due - time.perf_counter(), 0)):
            due += self.interval
            path = self.events[n % len(self.events)]
            n += 1
            visitor = Visitor(self.port)
            try:
                status = visitor.open_form(path)
                if status != 200 or not visitor.token:
                    self._error(f"GET {status}")
                    continue
                status, location, took = visitor.register(
                    path, f"{self.label}-{n}@{DOMAIN}", f"Bench visitor {n}", carer=n % 5 == 0
                )
            except OSError as exc:
                self._error(type(exc).__name__)
                continue
            if registered(status, location):
                self.made += 1
                self.seconds.append(took)
            else:
                self._error(f"POST {status} {location}".strip())

    def _error(self, why):
        self.errors[why] = self.errors.get(why, 0) + 1


class Editor(threading.Thread):
    """Publishes a change to one of `pages` (resource pages) every `interval` seconds, the first after 5 s."""

    def __init__(self, pages, interval):
        super().__init__(daemon=True)
        self.pages, self.interval = pages, interval
        self.stopping = threading.Event()
        self.published = 0
        self.errors = []
        self.seconds = []

    def run(self):
        from django.db import connection

        wait = 5.0
        try:
            while not self.stopping.wait(wait):
                started = time.perf_counter()
                try:
                    publish_edit(self.pages[self.published % len(self.pages)].pk)
                    self.published += 1
                except Exception as exc:  # reported, not fatal: the reads go on
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                took = time.perf_counter() - started
                self.seconds.append(took)
                wait = max(self.interval - took, 0)
        finally:
            connection.close()


def publish_edit(pk):
    """An editor's change to a resource page: a new title and summary, saved as a revision and published."""
    from library.models import ResourcePage

    page = ResourcePage.objects.get(pk=pk)
    stamp = time.strftime("%H:%M:%S")
    page.title = page.title.split(" (bench edit")[0] + f" (bench edit {stamp})"
    page.summary = page.summary.split(" [bench edit")[0] + f" [bench edit {stamp}]"
    page.save_revision().publish()


def reset():
    from events.models import Registration

    delete_registrations(Registration.objects.filter(email__endswith=f"@{DOMAIN}"))


def run(args):
    from django.db import connection

    groups = read_paths()
    paths = [path for group in groups.values() for path in group]
    if len(set(paths)) != len(paths):
        raise SystemExit("the read paths repeat")
    script = write_script(paths, SCRIPT)
    bare_script = write_script([BARE], SCRIPT.with_name("bare_wrk.lua"))
    events = registration_events()
    pages = edited_resources()

    print()
    print(
        f"Mixed: {len(paths)} public addresses ("
        + ", ".join(f"{len(group)} {name}" for name, group in groups.items())
        + f"); {args.runs} run(s) of {args.window:g} s windows"
    )
    if local_memory_cache():
        print(
            "note: the cache is local memory: the servers see the editor's publishes (made in this process)"
            " only through the database, not through a cache change made here; REDIS_URL shares it"
        )
    rows = []
    with serving(args.workers) as port:
        bare_before = wrk(port, bare_script, args.bare_seconds, args)
        for run_number in range(1, args.runs + 1):
            order = ["read-only", "mixed"] if run_number % 2 else ["mixed", "read-only"]
            for kind in order:
                if kind == "mixed":
                    reset()
                    connection.close()
                warm(port, paths)
                threads = []
                if kind == "mixed":
                    threads = [
                        Registrar(port, events, args.registration_rate, f"run{run_number}-{time.time_ns()}"),
                        Editor(pages, args.publish_every),
                    ]
                    for thread in threads:
                        thread.start()
                measured = wrk(port, script, args.window, args)
                for thread in threads:
                    thread.stopping.set()
                for thread in threads:
                    thread.join()
                bare_after = wrk(port, bare_script, args.bare_seconds, args)
                near = statistics.mean([bare_before["rps"], bare_after["rps"]])
                bare_before = bare_after
                rows.append({"run": run_number, "kind": kind, "near": near, **measured, "threads": threads})
                print(
                    f"  run {run_number}, {kind}: {measured['rps']:.1f} req/s, p99 {measured['p99']:.0f} ms"
                )
    reset()  # the bench registrations go (the editor's last titles stay)
    report(args, rows, connection.vendor)


def report(args, rows, vendor):
    print()
    print(
        f"gunicorn, {args.workers} sync worker(s); wrk -t{args.wrk_threads} -c{args.wrk_connections}, random"
        f" path per request; database: {vendor}; caches: {caches_described()}"
    )
    print(
        f"mixed: registrations at {args.registration_rate:g}/s, a resource published every"
        f" {args.publish_every:g} s; bare view measured with wrk for {args.bare_seconds:g} s either side"
    )
    print()
    header = (
        f"{'run':>3} {'window':<10} {'bare req/s':>11} {'req/s':>8} {'ratio':>7} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'max ms':>8} {'requests':>9} {'errors':>7} {'registered':>11} {'reg. errors':>12} {'published':>10}"
    )
    print(header)
    for row in rows:
        registrar = next((t for t in row["threads"] if isinstance(t, Registrar)), None)
        editor = next((t for t in row["threads"] if isinstance(t, Editor)), None)
        print(
            f"{row['run']:>3} {row['kind']:<10} {row['near']:11.1f} {row['rps']:8.1f}"
            f" {row['rps'] / row['near']:7.3f} {row['p50']:8.1f} {row['p99']:8.1f} {row['max']:8.1f}"
            f" {row['requests']:>9} {row['errors']:>7}"
            f" {registrar.made if registrar else '-':>11}"
            f" {sum(registrar.errors.values()) if registrar else '-':>12}"
            f" {editor.published if editor else '-':>10}"
        )
    by_kind = {kind: [r for r in rows if r["kind"] == kind] for kind in ("read-only", "mixed")}
    print()
    print(f"median of {args.runs} run(s):")
    print(f"{'window':<10} {'req/s':>8} {'ratio':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind, found in by_kind.items():
        med = {k: statistics.median(r[k] for r in found) for k in ("rps", "p50", "p99", "max")}
        ratio = statistics.median(r["rps"] / r["near"] for r in found)
        print(
            f"{kind:<10} {med['rps']:8.1f} {ratio:7.3f} {med['p50']:8.1f} {med['p99']:8.1f} {med['max']:8.1f}"
        )
    pairs = list(zip(by_kind["read-only"], by_kind["mixed"], strict=True))
    throughput = [m["rps"] / r["rps"] for r, m in pairs]
    normalised = [(m["rps"] / m["near"]) / (r["rps"] / r["near"]) for r, m in pairs]
    p99 = [m["p99"] / r["p99"] for r, m in pairs]
    print()
    print(
        f"mixed / read-only throughput: {statistics.median(throughput):.3f} (goal >= 0.8; runs:"
        f" {', '.join(f'{x:.3f}' for x in throughput)})"
    )
    print(
        f"  the same, each as its ratio to the bare view either side: {statistics.median(normalised):.3f}"
        f" (runs: {', '.join(f'{x:.3f}' for x in normalised)})"
    )
    print(
        f"mixed p99 / read-only p99:    {statistics.median(p99):.2f} (goal <= 2; runs:"
        f" {', '.join(f'{x:.2f}' for x in p99)})"
    )
    registrars = [t for r in by_kind["mixed"] for t in r["threads"] if isinstance(t, Registrar)]
    editors = [t for r in by_kind["mixed"] for t in r["threads"] if isinstance(t, Editor)]
    errors = {}
    for registrar in registrars:
        for why, n in registrar.errors.items():
            errors[why] = errors.get(why, 0) + n
    took = [s for registrar in registrars for s in registrar.seconds]
    print(
        f"registrations: {sum(r.made for r in registrars)} made, {sum(errors.values())} errors"
        + (f" (median POST {statistics.median(took) * 1000:.0f} ms)" if took else "")
    )
    for why, n in sorted(errors.items()):
        print(f"    {n} x {why}")
    published = [s for editor in editors for s in editor.seconds]
    print(
        f"publishes: {sum(e.published for e in editors)}"
        + (f" (median {statistics.median(published):.2f} s each)" if published else "")
        + f", {sum(len(e.errors) for e in editors)} failed"
    )
    for editor in editors:
        for error in editor.errors:
            print(f"    {error}")
    wrk_errors = [(r["run"], r["kind"], r["error kinds"]) for r in rows if r["errors"]]
    for run_number, kind, kinds in wrk_errors:
        print(f"wrk errors, run {run_number} {kind}: {kinds}")
