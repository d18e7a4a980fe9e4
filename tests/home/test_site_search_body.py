"""Site search finds events, opportunities, resources and guidance by the text of their pages, not only
their titles and summaries (issue 22, item 7): "access needs" finds an event whose body speaks of them.

The same on SQLite and PostgreSQL: both backends index the fields each page type lists in
`search_fields` (run this module with DATABASE_URL set to check the PostgreSQL one)."""

import pytest

from events.factories import EventIndexPageFactory, EventPageFactory
from home.factories import GuidancePageFactory
from library.factories import LibraryPageFactory, ResourcePageFactory
from opportunities.factories import OpportunityIndexPageFactory, OpportunityPageFactory

pytestmark = pytest.mark.django_db


def paragraph(text):
    return [{"type": "paragraph", "value": f"<p>{text}</p>"}]


def titles_found(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return [piece.title for piece in response.context["pieces"]]


def test_access_needs_finds_an_event_whose_body_speaks_of_them(client, home_page):
    events = EventIndexPageFactory(parent=home_page)
    EventPageFactory(
        parent=events,
        title="Planning day",
        summary="We plan the next stage of the study.",
        body=paragraph("Tell us your access needs when you book and we will arrange them."),
    )
    EventPageFactory(parent=events, title="Another day", summary="A quiet meeting.")

    found = titles_found(client, "access needs")

    assert "Planning day" in found
    assert "Another day" not in found


def test_an_events_access_arrangements_and_expenses_are_searchable_but_not_its_joining_details(
    client, home_page
):
    events = EventIndexPageFactory(parent=home_page)
    EventPageFactory(
        parent=events,
        title="Online panel",
        access_provisions=["bsl"],
        access_provisions_other="A quiet breakout room with beanbags.",
        expenses_covered="Childminder costs repaid.",
        joining_details="Zoom meeting secretcode 98765",
    )

    assert "Online panel" in titles_found(client, "BSL interpreters")
    assert "Online panel" in titles_found(client, "beanbags")
    assert "Online panel" in titles_found(client, "childminder")
    assert "Online panel" not in titles_found(client, "secretcode")


def test_an_opportunity_is_found_by_its_body_and_access_support(client, home_page):
    index = OpportunityIndexPageFactory(parent=home_page)
    OpportunityPageFactory(
        parent=index,
        title="Kidney study panel",
        body=paragraph("You will review leaflets about dialysis."),
        access_support="A buddy for the first meeting.",
    )

    assert "Kidney study panel" in titles_found(client, "dialysis leaflets")
    assert "Kidney study panel" in titles_found(client, "buddy")


def test_a_resource_is_found_by_its_body(client, home_page):
    library = LibraryPageFactory(parent=home_page)
    ResourcePageFactory(
        parent=library,
        title="Toolkit for panels",
        summary="How to run a panel.",
        body=paragraph("Includes a glossary of phlebotomy terms."),
    )

    assert "Toolkit for panels" in titles_found(client, "phlebotomy")


def test_a_guidance_page_is_found_by_its_body(client, guidance_index):
    GuidancePageFactory(
        parent=guidance_index,
        title="Paying people fairly",
        summary="What we pay.",
        body=paragraph("Benefits advice from a welfare-rights adviser before you accept payment."),
    )

    assert "Paying people fairly" in titles_found(client, "welfare-rights adviser")
