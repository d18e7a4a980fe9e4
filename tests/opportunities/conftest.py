import datetime
from decimal import Decimal

import pytest

from opportunities import services
from opportunities.models import Application
from payments.factories import build_policy

Status = Application.Status


@pytest.fixture
def policy(db):
    """£25/h for every activity but social, from 1 April 2024 (rounding to 15 minutes, prep up to half)."""
    return build_policy(datetime.date(2024, 4, 1), Decimal("25.00"))


@pytest.fixture
def index(home_page):
    from opportunities.factories import OpportunityIndexPageFactory

    return OpportunityIndexPageFactory(parent=home_page)


@pytest.fixture
def opportunity(index, policy):
    from opportunities.factories import OpportunityPageFactory

    return OpportunityPageFactory(parent=index, title="Lived experience panel", slug="panel")


@pytest.fixture
def closed_opportunity(index, policy):
    from opportunities.factories import OpportunityPageFactory

    today = datetime.date.today()
    return OpportunityPageFactory(
        parent=index, title="Old panel", slug="old-panel", closing_date=today - datetime.timedelta(days=3)
    )


def form_data(**overrides):
    data = {
        "name": "Amira Hassan",
        "email": "amira@example.org",
        "phone": "",
        "postal_address": "",
        "preferred_contact": "email",
        "question_0": "I have been through it.",
        "question_1": "No",
        "access_needs": "Large print please",
        "support_needed": "Help with travel",
        "consent_to_contact": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def service_data(**overrides):
    data = {
        "name": "Amira Hassan",
        "email": "amira@example.org",
        "phone": "",
        "postal_address": "",
        "preferred_contact": "email",
        "answers": [{"question": "Why would you like to join?", "answer": "To help"}],
        "access_needs": "Large print please",
        "support_needed": "",
        "consent_to_contact": True,
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_application(opportunity):
    """make_application(status="received", coordinator=None, **data): an application brought to
    `status` through the services, as people would."""

    def make(status=Status.RECEIVED, coordinator=None, target=None, **overrides):
        application = services.apply(target or opportunity, data=service_data(**overrides))
        services.bring_to(application, status, coordinator=coordinator)
        application.refresh_from_db()
        return application

    return make
