"""Forms on pages served from the shared page cache: a visitor whose page came from the cache (with a
CSRF token filled in for them alone) registers for an event and sends feedback, with and without
JavaScript; the page shows the change at once to the next visitor."""

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations
from .test_events_browser import one_seat_event  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fresh_page(browser, javascript=True):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.mark.usefixtures("one_seat_event")
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_register_and_send_feedback_through_cached_pages(live_server, browser, javascript):
    from events.models import Registration
    from home.models import FeedbackSubmission

    event_url = f"{live_server.url}/events/planning-workshop/"
    guidance_url = f"{live_server.url}/guidance/draft-manifesto/"
    warm_context, warm = fresh_page(browser)
    assert warm.goto(event_url).headers["x-page-cache"] == "miss"
    warm.goto(guidance_url)
    warm_context.close()

    context, page = fresh_page(browser, javascript)
    try:
        response = page.goto(guidance_url)
        assert response.headers["x-page-cache"] == "hit"
        page.get_by_label("Your comments").fill("Read from the cache, sent all the same.")
        page.get_by_role("button", name="Send feedback").click()
        expect(page.get_by_role("status")).to_contain_text("Thank you")
        assert FeedbackSubmission.objects.filter(comment__startswith="Read from the cache").exists()

        # Stored feedback shows on no page, so the event page is still served from the cache.
        response = page.goto(event_url)
        assert response.headers["x-page-cache"] == "hit"
        expect(page.get_by_text("1 of 1 places left")).to_be_visible()
        if javascript:  # axe-core runs as a script
            assert_no_axe_violations(page)
        page.get_by_label("Your name").fill("Cached Visitor")
        page.get_by_label("Email address").fill("cached@example.org")
        page.get_by_role("button", name="Register").click()
        expect(page.locator("h1")).to_contain_text("Your place")
        assert Registration.objects.filter(email="cached@example.org").exists()

    finally:
        context.close()

    # The next visitor sees the place taken at once.
    context, page = fresh_page(browser)
    try:
        page.goto(event_url)
        expect(page.get_by_text("This event is full.")).to_be_visible()
    finally:
        context.close()
