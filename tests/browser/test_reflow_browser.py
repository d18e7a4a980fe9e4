"""Reflow (WCAG 1.4.10) and axe on every kind of page outside the admin, at 320 and 1280 px.

The pages come from tests/portal/page_types.py: every page type, every public, signed-in and
signed-link address, with demo data seeded so each has content (and some content that is hard on a
phone: a long URL, a long e-mail address, an unbroken name). One test per width visits them all and
reports every page that fails at once.
"""

import pytest

from tests.portal.page_types import NOT_PAGES, page_addresses, seed_world

from .conftest import assert_no_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the page is as wide as, and every aria-describedby that names an id the page lacks.
MEASURE = """() => {
    const missing = [];
    for (const el of document.querySelectorAll("[aria-describedby]")) {
        for (const id of el.getAttribute("aria-describedby").split(/\\s+/).filter(Boolean)) {
            if (!document.getElementById(id)) missing.push(id);
        }
    }
    return {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        missing: missing,
    };
}"""


@pytest.fixture
def addresses(transactional_db, settings):
    settings.PAGE_CACHE_ENABLED = False
    world = seed_world()
    found, unreached = page_addresses(world)
    assert not unreached, (
        f"addresses outside the admin that gave no page (list them in NOT_PAGES?): {unreached}"
    )
    return world, found


def _visit_all(browser, live_server, width, world, found):
    from home.demo import DEMO_PASSWORD

    anonymous = browser.new_context(viewport={"width": width, "height": 800})
    signed_in = browser.new_context(viewport={"width": width, "height": 800})
    sign_in(signed_in.new_page(), live_server, world["contributor"].email, DEMO_PASSWORD)
    problems = []
    try:
        for context, is_signed_in in ((anonymous, False), (signed_in, True)):
            page = context.new_page()
            page.set_default_timeout(15_000)
            for address in (a for a in found if a.signed_in == is_signed_in):
                page.goto(live_server.url + address.url)
                measured = page.evaluate(MEASURE)
                if measured["scrollWidth"] > measured["innerWidth"]:
                    problems.append(
                        f"{address.name} {address.url}: {measured['scrollWidth']} px wide at {width} px"
                    )
                if measured["missing"]:
                    problems.append(
                        f"{address.name} {address.url}: aria-describedby names {measured['missing']}"
                    )
                try:
                    assert_no_axe_violations(page)
                except AssertionError as error:
                    problems.append(f"{address.name} {address.url} at {width} px: {error}")
    finally:
        anonymous.close()
        signed_in.close()
    return problems


@pytest.mark.parametrize("width", [320, 1280])
def test_every_page_reflows_and_passes_axe(addresses, live_server, browser, width):
    world, found = addresses
    kinds = {address.name for address in found}
    # The enumeration really reaches each kind of page the issue names.
    assert {
        "page:HomePage",
        "page:EventPage",
        "page:OpportunityPage",
        "page:ResourcePage",
        "page:LibraryPage",
        "page:GuidancePage",
        "events:manage",
        "events:feedback",
        "events:materials_by_link",
        "opportunities:manage",
        "payments:my_involvement",
        "payments:claim_detail",
        "payments:profile",
        "payouts:list",
        "payouts:detail",
        "search",
        "accounts:login",
    } <= kinds, sorted(kinds)
    assert len(found) > 40
    assert "wagtail_serve" in NOT_PAGES
    problems = _visit_all(browser, live_server, width, world, found)
    assert not problems, f"{len(problems)} problems on {len(found)} pages:\n" + "\n".join(problems)
