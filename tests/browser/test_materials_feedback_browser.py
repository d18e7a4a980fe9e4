"""An attendee opens the course materials from their manage page and gives feedback, without
JavaScript; the new pages pass axe."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def course(transactional_db):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from events.factories import EventIndexPageFactory, EventPageFactory, RegistrationFactory
    from events.models import EventMaterialFile
    from events.services import send_feedback_requests
    from home.demo import build_page_tree

    home, _index, _ = build_page_tree()
    index = EventIndexPageFactory(parent=home)
    start = timezone.now() - timedelta(hours=5)
    event = EventPageFactory(
        parent=index,
        title="Co-production training",
        start=start,
        end=start + timedelta(hours=3),
        materials=[("paragraph", "<p>Read chapter two first.</p>")],
    )
    material = EventMaterialFile(event=event, title="Course handbook")
    material.file.save("handbook.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    material.save()
    registration = RegistrationFactory(event=event, name="Alex Morgan")
    send_feedback_requests()
    return event, registration


def urls(live_server, registration):
    from django.urls import reverse

    from events.signing import make_manage_token

    token = make_manage_token(registration)
    return {
        "manage": live_server.url + reverse("events:manage", args=[token]),
        "feedback": live_server.url
        + reverse("events:feedback", args=[registration.feedback_invitation.token]),
    }


def test_materials_and_feedback_without_javascript(course, live_server, nojs_page):
    from events.models import EventFeedback

    event, registration = course
    page = nojs_page
    address = urls(live_server, registration)
    page.goto(address["manage"])
    page.get_by_role("link", name="Open the course materials").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Course materials: Co-production training")
    expect(page.get_by_text("Read chapter two first.")).to_be_visible()
    expect(page.get_by_role("link", name="Course handbook")).to_be_visible()

    page.goto(address["feedback"])
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".error-summary")).to_contain_text("Overall, how was the event?")
    page.get_by_label("4: Very good").check()
    page.get_by_label("What should we change? (optional)").fill("A bigger room.")
    page.get_by_label("Partly").check()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you for your feedback")
    answer = EventFeedback.objects.get(event=event)
    assert answer.rating == 4 and answer.name == ""


def test_materials_and_feedback_pages_pass_axe(course, live_server, page):
    _event, registration = course
    address = urls(live_server, registration)
    page.goto(address["manage"])
    page.get_by_role("link", name="Open the course materials").click()
    expect(page.get_by_role("link", name="Course handbook")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto(address["feedback"])
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)
