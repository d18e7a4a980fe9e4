"""Constant queries at scale: the opportunity index and page (anonymous) and the applications admin
listing, at 1,000 opportunities and 10,000 applications, the same as with a handful. Also the bench's
set-up is idempotent and its scenarios and measurements answer."""

from io import StringIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opportunities import bench
from opportunities.models import Application, OpportunityPage

pytestmark = pytest.mark.django_db


def queries(client, path):
    client.get(path)  # warm what is warm in production (content types, site)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


def counts(client):
    found = {s["name"]: queries(client, s["path"]) for s in bench.scenarios()}
    admin, url = bench.admin_listing_client()
    found["admin listing"] = queries(admin, url)
    found["admin listing, filtered"] = queries(admin, url + "?status=received&opportunity=")
    return found


def test_constant_queries_from_a_handful_to_1000_opportunities_and_10000_applications(
    client, home_page, policy_for_bench, monkeypatch
):
    monkeypatch.setattr(bench, "OPPORTUNITIES", 30)
    monkeypatch.setattr(bench, "APPLICATIONS", 60)
    bench.setup(StringIO())
    small = counts(client)

    monkeypatch.setattr(bench, "OPPORTUNITIES", 1_000)
    monkeypatch.setattr(bench, "APPLICATIONS", 10_000)
    bench.setup(StringIO())
    bench.setup(StringIO())  # idempotent
    assert OpportunityPage.objects.filter(slug__startswith=bench.PREFIX).count() == 1_000
    assert Application.objects.count() == 10_000
    assert counts(client) == small
    for _name, fn in bench.measurements():
        fn()


@pytest.fixture
def policy_for_bench(policy):
    return policy
