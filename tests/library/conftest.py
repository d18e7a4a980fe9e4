import pytest

from library.factories import (
    AudienceFactory,
    LibraryPageFactory,
    ResourcePageFactory,
    ResourceTypeFactory,
    TopicFactory,
)


@pytest.fixture
def library(home_page):
    return LibraryPageFactory(parent=home_page)


@pytest.fixture
def taxonomy(db):
    return {
        "toolkit": ResourceTypeFactory(name="Toolkit"),
        "paper": ResourceTypeFactory(name="Paper"),
        "video": ResourceTypeFactory(name="Video"),
        "ethics": TopicFactory(name="Ethics"),
        "payment": TopicFactory(name="Payment and recognition", slug="payment"),
        "mental-health": TopicFactory(name="Mental health"),
        "researchers": AudienceFactory(name="Researchers"),
        "public": AudienceFactory(name="Public contributors", slug="public"),
    }


@pytest.fixture
def make_resource(library):
    def make(**kwargs):
        return ResourcePageFactory(parent=library, **kwargs)

    return make
