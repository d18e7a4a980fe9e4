from datetime import timedelta

import factory
import wagtail_factories
from django.utils import timezone

from .models import AccessProvision, EventIndexPage, EventPage, Registration


class EventIndexPageFactory(wagtail_factories.PageFactory):
    title = "Events"
    slug = "events"
    introduction = "<p>Workshops, training and meetings. Every event lists its access arrangements.</p>"

    class Meta:
        model = EventIndexPage


class EventPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Workshop {n}")
    slug = factory.Sequence(lambda n: f"workshop-{n}")
    summary = "A friendly workshop to plan the next stage of the study together."
    event_type = EventPage.EventType.WORKSHOP
    format = EventPage.Format.IN_PERSON
    start = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=14)).replace(microsecond=0))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=3))
    venue_name = "Community Centre"
    venue_address = "1 High Street\nBristol\nBS1 1AA"
    directions = "Step-free from the bus stop outside; drop-off by the main door."
    joining_details = ""
    capacity = 20
    waiting_list_enabled = True
    access_provisions = factory.LazyFunction(
        lambda: [AccessProvision.STEP_FREE, AccessProvision.ACCESSIBLE_TOILET, AccessProvision.HEARING_LOOP]
    )
    expenses_covered = "Travel, a carer or PA, and childcare, repaid at cost."
    contact_phone = "0117 496 0000"
    contact_email = "events@example.org"

    class Meta:
        model = EventPage


class RegistrationFactory(factory.django.DjangoModelFactory):
    event = factory.SubFactory(EventPageFactory)
    name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"attendee{n}@example.org")
    status = Registration.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)

    class Meta:
        model = Registration

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        registration = super()._create(model_class, *args, **kwargs)
        # Made without the services: the event's seat count follows, as the services keep it.
        EventPage.objects.filter(pk=registration.event_id).recount_confirmed_seats()
        return registration
