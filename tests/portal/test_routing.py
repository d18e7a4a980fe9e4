"""`portal.routing.ChildTypeRouteMixin`: an index whose children are all of one type reads the child as
that type in one query, and routes anything else as Wagtail does."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from home.demo import build_page_tree
from home.factories import GuidancePageFactory
from home.models import GuidancePage

pytestmark = pytest.mark.django_db


def _route(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    routing = [q["sql"] for q in ctx.captured_queries if '"wagtailcore_page"."slug" =' in q["sql"]]
    return response, routing


def test_a_guidance_page_is_read_as_its_type_in_one_query(client):
    _home, index, _ = build_page_tree()
    page = GuidancePageFactory(parent=index, title="Paying people fairly", slug="paying-people-fairly")
    response, routing = _route(client, page.url)
    assert response.status_code == 200
    assert response.context["page"] == page and isinstance(response.context["page"], GuidancePage)
    # The index's child: one query, by slug, joined to the guidance page's own table.
    child_queries = [sql for sql in routing if "'paying-people-fairly'" in sql]
    assert len(child_queries) == 1
    assert "home_guidancepage" in child_queries[0]


def test_a_child_of_another_type_still_answers(client):
    """A page added below the index before its `subpage_types` narrowed is routed as Wagtail routes it."""
    _home, index, _ = build_page_tree()
    other = index.add_child(instance=Page(title="An older plain page", slug="older-plain-page", live=True))
    response = client.get(other.url)
    assert response.status_code == 200
    assert response.context["page"].pk == other.pk


def test_unpublished_and_missing_children_answer_404(client):
    _home, index, _ = build_page_tree()
    draft = GuidancePageFactory(parent=index, title="A draft", slug="a-draft")
    draft.unpublish()
    assert client.get(draft.url or "/guidance/a-draft/").status_code == 404
    assert client.get("/guidance/no-such-page/").status_code == 404
    assert client.get("/guidance/a-draft/deeper/").status_code == 404
