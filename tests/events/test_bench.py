"""The bench set-up (scaled down) is idempotent, its scenarios answer, and queries stay constant."""

from io import StringIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import bench
from events.models import EventPage, Registration

pytestmark = pytest.mark.django_db


def queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


def test_bench_setup_scenarios_and_constant_queries(client, home_page, monkeypatch, no_page_cache):
    monkeypatch.setattr(bench, "EVENTS", 6)
    monkeypatch.setattr(bench, "REGISTRATIONS", 60)
    bench.setup(StringIO())
    small = {s["name"]: queries(client, s["path"]) for s in bench.scenarios()}

    monkeypatch.setattr(bench, "EVENTS", 45)
    monkeypatch.setattr(bench, "REGISTRATIONS", 3_000)
    bench.setup(StringIO())
    bench.setup(StringIO())  # idempotent
    assert EventPage.objects.filter(slug__startswith=bench.PREFIX).count() == 45
    assert Registration.objects.count() == 3_000
    large = {s["name"]: queries(client, s["path"]) for s in bench.scenarios()}
    assert large == small
    for _name, fn in bench.measurements():
        fn()
