"""Reflow (WCAG 1.4.10) and axe on every kind of page outside the admin, at 320 and 1280 px.

The pages come from tests/portal/page_types.py: every page type, every public, signed-in and
signed-link address, with demo data seeded so each has content (and some content that is hard on a
phone: a long URL, a long e-mail address, an unbroken name). One test per width visits them all and
reports every page that fails at once.
"""

import re

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


@pytest.fixture
def forms_site(transactional_db, settings):
    import datetime
    from decimal import Decimal

    from events.demo import build_events
    from events.demo import build_index as build_events_index
    from home.demo import build_page_tree
    from opportunities.factories import OpportunityIndexPageFactory, OpportunityPageFactory
    from payments.factories import build_policy

    settings.PAGE_CACHE_ENABLED = False
    build_policy(datetime.date(2024, 4, 1), Decimal("25.00"))
    home, _index, _ = build_page_tree()
    events_index = build_events_index(home)
    build_events(events_index)
    opportunity = OpportunityPageFactory(
        parent=OpportunityIndexPageFactory(parent=home), title="Lived experience panel", slug="panel"
    )
    opportunity.save_revision().publish()
    return events_index, opportunity


def test_a_form_sent_back_with_errors_on_a_phone(forms_site, live_server, browser):
    """At 320 px: the title starts "Error: ", the summary has focus (also after a form posted to a
    #fragment), each error is tied to its field, nothing scrolls sideways and axe finds nothing."""
    from playwright.sync_api import expect

    from events.models import EventPage

    events_index, opportunity = forms_site
    event = next(page for page in EventPage.objects.live().order_by("pk") if page.registration_state()[0])
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        for url, button in ((event.url, "Register"), (opportunity.url, "Send my application")):
            page.goto(live_server.url + url)
            page.get_by_role("button", name=button, exact=True).click()
            summary = page.locator(".error-summary")
            expect(summary).to_be_focused()
            assert page.title().startswith("Error: ")
            email = page.get_by_role("textbox", name="Email address")
            expect(email).to_have_attribute("aria-invalid", "true")
            assert "id_email_error" in email.get_attribute("aria-describedby").split()
            expect(page.locator("#id_email_error")).to_be_visible()
            measured = page.evaluate(MEASURE)
            assert measured["scrollWidth"] <= measured["innerWidth"], (url, measured)
            assert not measured["missing"], (url, measured)
            assert_no_axe_violations(page)
            # The summary's link takes the person to the field.
            summary.get_by_role("link", name=re.compile("^Email address")).click()
            expect(email).to_be_focused()
    finally:
        context.close()
