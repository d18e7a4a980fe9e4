"""Lighthouse's SEO and best-practices audits score 100 on the five public page types of the demo site:
home, library, resource, guidance and event, in headless Chromium.

Lighthouse is a Node program, installed (pinned) into tools/lighthouse by `make lighthouse` or .ci/run.
Without Node the test skips; without Lighthouse it skips too, except in CI (REQUIRE_BROWSER), where it
fails.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from .conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIGHTHOUSE = (
    Path(__file__).resolve().parents[2] / "tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
)
CATEGORIES = ("seo", "best-practices")
RUN_TIMEOUT_SECONDS = 240


@pytest.fixture(scope="module")
def lighthouse():
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed, so Lighthouse cannot run")
    if not LIGHTHOUSE.exists():
        message = (
            f"Lighthouse is not installed at {LIGHTHOUSE}: run `make lighthouse` (npm ci in tools/lighthouse)"
        )
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return LIGHTHOUSE


@pytest.fixture
def demo_site(restore_migration_data, live_server):
    """The demo content, on a Site whose address is the live server's (canonical links point at it)."""
    from urllib.parse import urlsplit

    from wagtail.models import Site

    call_command("load_demo_data", verbosity=0)
    address = urlsplit(live_server.url)
    Site.objects.filter(is_default_site=True).update(hostname=address.hostname, port=address.port)
    return live_server.url


def page_addresses(base):
    from events.models import EventPage
    from home.models import GuidancePage, HomePage
    from library.models import LibraryPage, ResourcePage

    def first(model):
        return model.objects.live().public().order_by("path").first().url

    return {
        "home": base + first(HomePage),
        "library": base + first(LibraryPage),
        "resource": base + first(ResourcePage),
        "guidance": base + first(GuidancePage),
        "event": base + first(EventPage),
    }


def audit(lighthouse, url, tmp_path):
    chrome_flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    completed = subprocess.run(  # noqa: S603 - a fixed program with our own arguments
        [
            str(lighthouse),
            url,
            f"--only-categories={','.join(CATEGORIES)}",
            "--output=json",
            f"--output-path={tmp_path / 'report.json'}",
            f"--chrome-flags={chrome_flags}",
            "--throttling-method=provided",
            "--quiet",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )
    assert completed.returncode == 0, f"Lighthouse failed on {url}:\n{completed.stderr[-3000:]}"
    return json.loads((tmp_path / "report.json").read_text())


def failing_audits(report, category):
    audits = report["audits"]
    failing = []
    for ref in report["categories"][category]["auditRefs"]:
        result = audits[ref["id"]]
        if ref["weight"] and result["score"] is not None and result["score"] < 1:
            failing.append(f"{ref['id']}: {result['title']} ({result.get('displayValue', '')})")
    return failing


def test_lighthouse_seo_and_best_practices_score_100(lighthouse, demo_site, tmp_path):
    failures = []
    for kind, url in page_addresses(demo_site).items():
        report = audit(lighthouse, url, tmp_path)
        assert not report.get("runtimeError"), report.get("runtimeError")
        for category in CATEGORIES:
            score = report["categories"][category]["score"]
            if score != 1:
                failures.append(f"{kind} {url}: {category} {score}: {failing_audits(report, category)}")
    assert not failures, "\n".join(failures)
