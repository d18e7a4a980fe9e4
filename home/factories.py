import factory
import wagtail_factories

from .models import FeedbackSubmission, GuidanceIndexPage, GuidancePage, HomePage


class HomePageFactory(wagtail_factories.PageFactory):
    title = "Co-producing health and care research together"
    slug = "home"
    introduction = "<p>Guidance, resources, events and fair pay for people who co-produce research.</p>"

    class Meta:
        model = HomePage


class GuidanceIndexPageFactory(wagtail_factories.PageFactory):
    title = "Guidance"
    slug = "guidance"
    introduction = (
        "<p>Practical guidance, written with public contributors, researchers and practitioners.</p>"
    )

    class Meta:
        model = GuidanceIndexPage


class GuidancePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Guidance page {n}")
    summary = factory.Faker("sentence", nb_words=16)
    body = factory.LazyAttribute(
        lambda o: [
            {"type": "heading", "value": {"text": "What this covers", "level": "h2"}},
            {"type": "paragraph", "value": f"<p>{o.summary}</p>"},
        ]
    )

    class Meta:
        model = GuidancePage


class FeedbackSubmissionFactory(factory.django.DjangoModelFactory):
    page = factory.SubFactory(GuidancePageFactory)
    name = factory.Faker("name", locale="en_GB")
    email = factory.Faker("email")
    role = FeedbackSubmission.Role.PUBLIC
    comment = factory.Faker("paragraph")

    class Meta:
        model = FeedbackSubmission
