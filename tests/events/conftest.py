import pytest


@pytest.fixture
def event_index(home_page):
    from events.factories import EventIndexPageFactory

    return EventIndexPageFactory(parent=home_page)


@pytest.fixture
def event_factory(event_index):
    from events.factories import EventPageFactory

    def make(**kwargs):
        kwargs.setdefault("parent", event_index)
        return EventPageFactory(**kwargs)

    return make


@pytest.fixture
def event(event_factory):
    return event_factory(capacity=3)


@pytest.fixture
def person():
    counter = {"n": 0}

    def make(**overrides):
        counter["n"] += 1
        data = {
            "name": f"Person {counter['n']}",
            "email": f"person{counter['n']}@example.org",
            "phone": "",
            "preferred_contact": "email",
            "brings_carer": False,
            "carer_name": "",
            "access_needs": [],
            "access_needs_other": "",
            "dietary_needs": "",
            "consent_to_keep_access_info": False,
        }
        data.update(overrides)
        return data

    return make
