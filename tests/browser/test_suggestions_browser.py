"""A visitor suggests a resource on a phone without JavaScript; a moderator approves it in the workflow;
it appears in the library with its facets counted, the suggester credited and e-mailed."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from .conftest import assert_no_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Paying people fairly: a community checklist"


@pytest.fixture
def library(transactional_db):
    from home.demo import build_page_tree
    from library.demo import build_library, build_resources, build_taxonomy

    home, _index, _ = build_page_tree()
    build_taxonomy()
    library = build_library(home)
    build_resources(library)
    return library


def _moderators_may_publish(group):
    """What a migrated database has: Wagtail's initial data lets Moderators publish pages (a flush between
    transactional tests removes it, and only the project's own data migrations are replayed)."""
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupPagePermission, Page

    from library.models import SuggestionReviewTask

    root = Page.get_first_root_node()
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(
            group=group, page=root, permission=Permission.objects.get(codename=codename)
        )
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    SuggestionReviewTask.objects.get().groups.add(group)


def topic_count(page, slug):
    # The text, not what is rendered: on a phone the filters are folded.
    label = page.locator(f"label[for='filter-topic-{slug}']").text_content()
    return int(re.search(r"\((\d+)", label).group(1))


def test_suggest_without_javascript_then_approve_and_publish(
    library, live_server, nojs_page, page, user_factory
):
    from library.models import ResourceSuggestion, Topic

    topic = Topic.objects.order_by("name").first()
    visitor = nojs_page
    visitor.goto(live_server.url + library.url)
    before = topic_count(visitor, topic.slug)

    visitor.get_by_role("link", name="Suggest a resource").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Suggest a resource")

    # A first try with a problem: the message is tied to the field, nothing is lost.
    visitor.get_by_label("Title of the resource").fill(TITLE)
    visitor.get_by_label("Why is it useful?").fill("It lists what to agree before anyone gives their time.")
    visitor.get_by_label("Your name").fill("Priya Shah")
    visitor.get_by_label("Your email address").fill("priya@example.org")
    visitor.get_by_role("button", name="Send suggestion").click()
    expect(visitor.get_by_role("alert")).to_contain_text("Give a link to the resource, or upload a file")
    expect(visitor.get_by_label("Title of the resource")).to_have_value(TITLE)

    visitor.get_by_label("Link to it (if it is online)").fill("https://example.org/paying-people-fairly")
    visitor.get_by_label(topic.name).check()
    visitor.get_by_label("Credit me by name on the resource's page").check()
    visitor.get_by_role("button", name="Send suggestion").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Thank you for your suggestion")
    suggestion = ResourceSuggestion.objects.get()
    assert [m.subject for m in mail.outbox] == [f"We have your suggestion: {TITLE}"]

    # Not in the library until a moderator approves it.
    visitor.goto(live_server.url + library.url)
    assert topic_count(visitor, topic.slug) == before

    moderator = user_factory(email="moderator-b@example.org", groups=["Editors", "Moderators"])
    _moderators_may_publish(moderator.groups.get(name="Moderators"))
    sign_in(page, live_server, "moderator-b@example.org")
    page.goto(f"{live_server.url}/admin/pages/{suggestion.page_id}/edit/")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messages")).to_contain_text(re.compile("approved|published|updated", re.I))

    suggestion.refresh_from_db()
    assert suggestion.status == "published"
    assert mail.outbox[-1].subject == f"Published in the library: {TITLE}"
    assert mail.outbox[-1].to == ["priya@example.org"]

    # The visitor's browser may keep the library page it saw a moment ago for the short `max-age` public
    # pages carry (portal/pagecache.py); reloading asks the server, whose shared cache the publication cleared.
    visitor.goto(live_server.url + library.url)
    visitor.reload()
    assert topic_count(visitor, topic.slug) == before + 1
    visitor.locator("summary", has_text="Filter").click()  # folded on a phone
    visitor.locator(f"#filter-topic-{topic.slug}").check()
    visitor.get_by_role("button", name="Show resources").click()
    visitor.get_by_role("link", name=TITLE).click()
    expect(visitor.locator(".resource__details")).to_contain_text("Priya Shah")


def test_new_suggestion_pages_pass_axe(library, live_server, page):
    """axe-core needs JavaScript, so the pages the visitor saw are checked in a browser that runs it."""
    page.goto(live_server.url + library.url)
    page.get_by_role("link", name="Suggest a resource").click()
    assert_no_axe_violations(page)
    page.get_by_label("Title of the resource").fill("A")
    page.get_by_label("Link to it (if it is online)").fill("javascript:alert(1)")
    page.get_by_role("button", name="Send suggestion").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Title of the resource").fill(TITLE)
    page.get_by_label("Link to it (if it is online)").fill("https://example.org/paying-people-fairly")
    page.get_by_label("Why is it useful?").fill("It lists what to agree before anyone gives their time.")
    page.get_by_label("Your name").fill("Priya Shah")
    page.get_by_label("Your email address").fill("priya@example.org")
    page.get_by_role("button", name="Send suggestion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your suggestion")
    assert_no_axe_violations(page)
