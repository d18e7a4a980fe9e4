from datetime import timedelta

import factory
import wagtail_factories
from django.utils import timezone

from .models import OpportunityIndexPage, OpportunityPage

QUESTIONS = [
    (
        "question",
        {"question": "Why would you like to join?", "help_text": "", "kind": "long", "required": True},
    ),
    (
        "question",
        {"question": "Have you done this before?", "help_text": "", "kind": "yes_no", "required": False},
    ),
]


class OpportunityIndexPageFactory(wagtail_factories.PageFactory):
    title = "Get involved"
    slug = "get-involved"
    introduction = "<p>Roles for people who want to shape research.</p>"

    class Meta:
        model = OpportunityIndexPage


class OpportunityPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Advisory panel {n}")
    slug = factory.Sequence(lambda n: f"advisory-panel-{n}")
    summary = "Meet once a month to steer a study."
    role_kind = "advisory_panel"
    topic = "long_term_conditions"
    format = "online"
    who_for = "People who have left hospital recently."
    hours_per_month = 3
    meetings_count = 12
    sessions_per_month = 1
    activity_type = "meeting"
    session_minutes = 130
    preparation_minutes = 60
    is_paid = True
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    ends_on = None
    closing_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    access_support = "Captions, papers in large print."
    questions = QUESTIONS

    class Meta:
        model = OpportunityPage
