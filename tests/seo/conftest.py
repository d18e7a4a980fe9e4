"""A small site with one page of each public type, built the way the demo builds it."""

from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def library(home_page):
    from library.factories import LibraryPageFactory

    return LibraryPageFactory(parent=home_page)


@pytest.fixture
def topics(db):
    from library.factories import AudienceFactory, ResourceTypeFactory, TopicFactory

    return {
        "ethics": TopicFactory(name="Ethics"),
        "payment": TopicFactory(name="Payment and recognition", slug="payment"),
        "toolkit": ResourceTypeFactory(name="Toolkit"),
        "public": AudienceFactory(name="Public contributors", slug="public"),
    }


@pytest.fixture
def resource(library, topics):
    from library.factories import ResourcePageFactory

    return ResourcePageFactory(
        parent=library,
        title="Paying people fairly",
        summary="How to pay public contributors for their time, with a worked example.",
        author="Involvement Network",
        year=2023,
        resource_type=topics["toolkit"],
        topics=[topics["payment"]],
        audiences=[topics["public"]],
    )


@pytest.fixture
def guidance(guidance_index):
    """A guidance page the page tree publishes with a revision (as an editor would)."""
    from home.models import GuidancePage

    return GuidancePage.objects.child_of(guidance_index).get(slug="sharing-power")


@pytest.fixture
def event_index(home_page):
    from events.factories import EventIndexPageFactory

    return EventIndexPageFactory(parent=home_page)


@pytest.fixture
def event(event_index):
    from events.factories import EventPageFactory

    start = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    return EventPageFactory(
        parent=event_index,
        title="Shaping the study",
        summary="Help us decide what the new study should ask.",
        start=start,
        end=start + timedelta(hours=3),
        venue_name="Greenway Centre",
        venue_address="12 Greenway Road\nBristol\nBS5 6XX",
        capacity=20,
    )


def head_of(response):
    html = response.content.decode()
    return html[html.index("<head>") : html.index("</head>")]
