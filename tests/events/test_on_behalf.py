"""Bookings a coordinator makes for someone who is not online: the same rules as anyone's, told their way."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from events import audit, services
from events.models import ContactTask, Registration

pytestmark = pytest.mark.django_db


def offline(**overrides):
    """What a coordinator types for someone who phoned: no e-mail address."""
    data = {
        "name": "Olive Offline",
        "email": "",
        "phone": "0117 496 0123",
        "postal_address": "2 Mill Lane\nBristol\nBS2 2BB",
        "preferred_contact": "phone",
        "consent_to_keep_contact_details": True,
        "brings_carer": False,
        "carer_name": "",
        "access_needs": [],
        "access_needs_other": "",
        "dietary_needs": "",
        "consent_to_keep_access_info": False,
    }
    data.update(overrides)
    return data


def book(event, coordinator, via="phone", **overrides):
    return services.register(event, data=offline(**overrides), entered_by=coordinator, booked_via=via)


def test_a_coordinator_books_a_person_without_email(
    event, coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        result = book(event, coordinator, brings_carer=True, carer_name="Pat", access_needs=["bsl"])
    registration = result.registration
    assert result.created and registration.status == Registration.Status.CONFIRMED
    assert registration.email == "" and registration.seats == 2
    assert (registration.booked_via, registration.entered_by) == ("phone", coordinator)
    assert registration.consent_to_keep_contact_details and registration.postal_address.startswith("2 Mill")
    assert registration.access_needs == ["bsl"]
    event.refresh_from_db()
    assert event.confirmed_seats == 2
    # No e-mail is sent; the confirmation is a call on the call list.
    assert mailoutbox == []
    task = ContactTask.objects.get(registration=registration)
    assert (task.kind, task.method, task.done_at) == ("confirmed", "phone", None)


def test_the_history_says_who_entered_it_for_whom(event, coordinator):
    registration = book(event, coordinator, via="post", preferred_contact="post").registration
    entry = ModelLogEntry.objects.get(object_id=str(registration.pk), action=audit.REGISTERED)
    assert entry.user == coordinator
    assert entry.data == {"on_behalf": True, "via": "post", "for": "Olive Offline"}
    assert (
        entry.message == "Booked by post by a coordinator on behalf of Olive Offline, with a confirmed place"
    )
    assert registration.contact_tasks.get().method == "post"


def test_online_registration_history_is_unchanged(event, person, contributor):
    registration = services.register(event, data=person(), user=contributor).registration
    entry = ModelLogEntry.objects.get(object_id=str(registration.pk), action=audit.REGISTERED)
    assert entry.user == contributor and entry.message == "Registered with a confirmed place"
    assert registration.booked_via == "online" and registration.entered_by is None


def test_the_same_seat_rules_and_waiting_list(event_factory, coordinator, person):
    event = event_factory(capacity=2)
    services.register(event, data=person())
    first = book(event, coordinator, brings_carer=True).registration
    assert first.status == "waiting"  # 1 + 2 seats would be over capacity: the queue, as for anyone
    second = book(event, coordinator, name="Sam Second", phone="0117 496 0999").registration
    assert second.status == "waiting"  # never overtakes the queue, though one seat is free
    assert first.waiting_position() == 1 and second.waiting_position() == 2
    entry = ModelLogEntry.objects.get(object_id=str(first.pk), action=audit.JOINED_WAITING_LIST)
    assert entry.user == coordinator and "on the waiting list" in entry.message
    assert first.contact_tasks.get().kind == "waiting"
    # Someone cancels: the waiting list moves on, first come first served, and the promoted person is told
    # their way.
    online = Registration.objects.get(email__startswith="person")
    services.cancel_registration(online)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "confirmed" and second.status == "waiting"
    # The call to say they wait is replaced by the call to say they have a place.
    tasks = {task.kind: task for task in first.contact_tasks.all()}
    assert set(tasks) == {"waiting", "promoted"}
    assert tasks["promoted"].done_at is None
    assert tasks["waiting"].done_at is not None and tasks["waiting"].done_by is None
    assert tasks["waiting"].outcome == "Not needed: replaced by a later notice (a place came free)"


def test_no_waiting_list_means_full(event_factory, coordinator, person):
    event = event_factory(capacity=1, waiting_list_enabled=False)
    services.register(event, data=person())
    with pytest.raises(services.EventFull):
        book(event, coordinator)
    assert not Registration.objects.filter(email="").exists()
    assert not ContactTask.objects.exists()


def test_registration_window_applies(event_factory, coordinator):
    event = event_factory(registration_closes_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(services.RegistrationClosed):
        book(event, coordinator)


def test_duplicates_without_email_are_found_by_name_and_phone(event, coordinator):
    book(event, coordinator)
    with pytest.raises(services.AlreadyRegistered) as caught:
        book(event, coordinator, name="  olive   OFFLINE ", phone="+44 117 496 0123", postal_address="")
    assert "already has a booking" in str(caught.value)
    with pytest.raises(services.AlreadyRegistered):  # the same address, no phone
        book(event, coordinator, phone="", preferred_contact="post")
    # Another person of the same name with another number is someone else.
    other = book(event, coordinator, phone="0117 496 0777", postal_address="").registration
    assert Registration.objects.filter(event=event, email="").count() == 2 and other.pk
    # Two people without e-mail do not clash on the one-per-e-mail constraint.
    assert Registration.objects.filter(event=event, email="").count() == 2


def test_a_cancelled_booking_is_reopened(event, coordinator):
    registration = book(event, coordinator).registration
    services.cancel_registration(registration, actor=coordinator)
    again = book(event, coordinator, via="in_person").registration
    assert again.pk == registration.pk and again.status == "confirmed" and again.booked_via == "in_person"


def test_with_an_email_address_they_are_emailed(
    event, coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = book(event, coordinator, email="Ed@Example.org").registration
    assert registration.email == "ed@example.org"
    assert [m.to for m in mailoutbox] == [["ed@example.org"]]
    assert not ContactTask.objects.exists()
    # The same e-mail address again is the same person.
    with pytest.raises(services.AlreadyRegistered):
        book(event, coordinator, email="ed@example.org", name="Someone Else")


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"phone": "", "postal_address": ""}, "We need a way to reach them"),
        ({"consent_to_keep_contact_details": False}, "Ask the person whether we may keep"),
        ({"preferred_contact": "post", "postal_address": ""}, "postal address if they would like letters"),
        ({"preferred_contact": "text", "phone": ""}, "phone number if they would like us to call"),
    ],
)
def test_refused_without_a_way_to_reach_them(event, coordinator, overrides, message):
    with pytest.raises(services.RegistrationRefused, match=message):
        book(event, coordinator, **overrides)
    assert not Registration.objects.exists()


def test_online_registration_still_needs_an_email(event, person):
    with pytest.raises(services.RegistrationRefused, match="e-mail address"):
        services.register(event, data=person(email=""))


def test_email_preference_without_email_becomes_a_call(event, coordinator):
    registration = book(event, coordinator, preferred_contact="email").registration
    assert registration.preferred_contact == "phone"
    registration = book(
        event, coordinator, name="Lettie", phone="", preferred_contact="email", postal_address="3 Way"
    ).registration
    assert registration.preferred_contact == "post"


def test_every_change_reaches_them_their_way(
    event, coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    registration = book(event, coordinator, preferred_contact="post").registration
    with django_capture_on_commit_callbacks(execute=True):
        services.change_event(event, start=event.start + timedelta(days=1), end=event.end + timedelta(days=1))
        services.cancel_event(event, actor=coordinator)
    assert mailoutbox == []
    kinds = dict(registration.contact_tasks.values_list("kind", "method"))
    assert kinds == {"confirmed": "post", "event_changed": "post", "event_cancelled": "post"}
    open_kinds = set(registration.contact_tasks.pending().values_list("kind", flat=True))
    assert open_kinds == {"event_changed", "event_cancelled"}


def test_one_open_task_per_kind_and_marking_done(event, coordinator):
    registration = book(event, coordinator).registration
    task = registration.contact_tasks.get()
    services.complete_contact_task(task, actor=coordinator, outcome="  Told them;   all good ")
    task.refresh_from_db()
    assert task.done_by == coordinator and task.outcome == "Told them; all good"
    done_at = task.done_at
    services.complete_contact_task(task, actor=coordinator, outcome="again")  # idempotent
    task.refresh_from_db()
    assert task.done_at == done_at and task.outcome == "Told them; all good"
    entry = ModelLogEntry.objects.get(object_id=str(registration.pk), action=audit.CONTACTED)
    assert entry.user == coordinator and entry.message == "Phone call done: Place confirmed"
    with pytest.raises(services.RegistrationRefused, match="200 characters"):
        services.complete_contact_task(
            ContactTask.objects.create(registration=registration, kind="reminder", method="phone"),
            actor=coordinator,
            outcome="x" * 201,
        )


def test_reminders_reach_them_on_the_call_list_once(event_factory, coordinator, person, mailoutbox):
    event = event_factory(start=timezone.now() + timedelta(hours=20))
    offline_person = book(event, coordinator, preferred_contact="post").registration
    services.register(event, data=person())
    mailoutbox.clear()
    assert services.send_due_reminders() == 2
    assert services.send_due_reminders() == 0
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [Registration.objects.exclude(email="").get().email]
    reminder = offline_person.contact_tasks.get(kind="reminder")
    # Two days' notice is too late for the post: a reminder is a call when there is a number.
    assert reminder.method == "phone"


def test_no_feedback_request_without_email(event_factory, coordinator, person):
    event = event_factory(
        start=timezone.now() - timedelta(hours=4),
        end=timezone.now() - timedelta(hours=1),
        asks_for_feedback=True,
    )
    Registration.objects.all().delete()
    with_email = Registration.objects.create(
        event=event, name="E", email="e@example.org", status="confirmed", confirmed_at=timezone.now()
    )
    Registration.objects.create(
        event=event, name="N", email="", phone="1", status="confirmed", confirmed_at=timezone.now()
    )
    assert services.due_feedback_ids() == [with_email.pk]


def test_no_email_is_ever_built_for_a_blank_address(event, coordinator, mailoutbox):
    from events.emails import deliver_registration_email

    registration = book(event, coordinator).registration
    assert deliver_registration_email(registration.pk, "confirmed") is False
    assert mailoutbox == []


def test_an_online_place_of_the_same_person_counts(event, coordinator, person):
    online = services.register(event, data=person(name="Olive Offline", phone="0117 496 0123")).registration
    with pytest.raises(services.AlreadyRegistered):
        book(event, coordinator)
    # Once they cancelled it, a booking by phone is a new place; their online one keeps its address.
    services.cancel_registration(online)
    booked = book(event, coordinator).registration
    online.refresh_from_db()
    assert booked.pk != online.pk and online.email.startswith("person") and online.status == "cancelled"
