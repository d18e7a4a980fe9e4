"""Playwright driving Debian's Chromium, plus an axe-core check.

`playwright install` cannot download browsers here, so the tests launch /usr/bin/chromium. Without
it the tests skip with the reason, except when REQUIRE_BROWSER is set (CI), where they fail.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run beside one
# unless told it is safe (it is: the loop only drives the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _chromium_available():
    return os.path.exists(CHROMIUM) or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    if not _chromium_available():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must install Debian's chromium package")
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium package to run browser tests"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _migration_data(restore_migration_data):
    """Every browser test starts with the groups and permissions a migrated database has."""


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def nojs_page(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def assert_no_axe_violations(page):
    """Runs axe-core on the page and fails with a readable list of WCAG A/AA violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
    )
    assert not violations, f"axe-core found WCAG violations on {page.url}:\n{report}"


def sign_in(page, live_server, email, password="correct horse battery staple"):
    """Signs in and waits until the site shows it, so the next navigation cannot cut the sign-in short."""
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
