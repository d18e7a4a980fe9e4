"""The events' `confirmed_seats` column equals the seats of their confirmed registrations after every
change: a stateful property test over the services, and the ways a page object could carry an old count
back (a revision published again, a stale copy saved, a copy of the page, the data migration)."""

import contextlib
import importlib

import pytest
from django.apps import apps
from django.db import transaction
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from events import services
from events.factories import EventPageFactory, RegistrationFactory
from events.models import EventPage, Registration

pytestmark = pytest.mark.django_db


def stored_seats(event):
    return EventPage.objects.values_list("confirmed_seats", flat=True).get(pk=event.pk)


def counted_seats(event):
    """The seats of the confirmed places, added up here from the rows (not with the services' SQL)."""
    return sum(
        seats
        for status, seats in Registration.objects.filter(event=event).values_list("status", "seats")
        if status == Registration.Status.CONFIRMED
    )


class SeatColumn(RuleBasedStateMachine):
    """Registrations, cancellations and their undoing, carers coming and going, promotions by hand and from the queue,
    attendance, a change of capacity published, an old revision published again, the event cancelled."""

    index = None  # the events index, set by the test

    def __init__(self):
        super().__init__()
        # Each run in its own savepoint, rolled back at the end: every run starts from the same database.
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.event = None
        self.people = []
        self.first_revision = None

    def teardown(self):
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    @initialize(capacity=st.one_of(st.none(), st.integers(min_value=0, max_value=5)), waiting=st.booleans())
    def make_event(self, capacity, waiting):
        self.event = EventPageFactory(parent=self.index, capacity=capacity, waiting_list_enabled=waiting)
        self.first_revision = self.event.save_revision()  # made while nobody has a seat

    def person(self, i):
        return self.people[i % len(self.people)]

    @rule(carer=st.booleans())
    def register(self, carer):
        data = {"name": "P", "email": f"p{len(self.people)}@example.org", "brings_carer": carer}
        with contextlib.suppress(services.RegistrationRefused):  # full without a list, or closed
            self.people.append(services.register(self.event, data=data).registration)

    @precondition(lambda self: self.people)
    @rule(i=st.integers(min_value=0, max_value=30))
    def cancel(self, i):
        services.cancel_registration(self.person(i))

    @precondition(lambda self: self.people)
    @rule(i=st.integers(min_value=0, max_value=30), join=st.booleans())
    def undo_cancellation(self, i, join):
        person = self.person(i)
        person.refresh_from_db()
        confirmed_before = {
            pk
            for pk, status in Registration.objects.filter(event=self.event).values_list("pk", "status")
            if status == Registration.Status.CONFIRMED
        }
        # Not cancelled (nothing happens), too late, the event cancelled, or the seat taken.
        with contextlib.suppress(services.RegistrationRefused):
            services.undo_cancellation(person, join_waiting_list=join)
        confirmed_after = set(
            Registration.objects.filter(event=self.event, status=Registration.Status.CONFIRMED).values_list(
                "pk", flat=True
            )
        )
        assert confirmed_before <= confirmed_after  # an undo never takes anyone's place
        event = EventPage.objects.get(pk=self.event.pk)
        assert event.capacity is None or counted_seats(event) <= event.capacity

    @precondition(lambda self: self.people)
    @rule(i=st.integers(min_value=0, max_value=30), carer=st.booleans())
    def change_carer(self, i, carer):
        with contextlib.suppress(services.RegistrationRefused):  # no seat for the carer, or cancelled
            services.change_needs(self.person(i), data={"brings_carer": carer})

    @precondition(lambda self: self.people)
    @rule(i=st.integers(min_value=0, max_value=30))
    def promote_by_hand(self, i):
        with contextlib.suppress(services.RegistrationRefused):  # not waiting, or does not fit
            services.promote(self.person(i))

    @precondition(lambda self: self.people)
    @rule(i=st.integers(min_value=0, max_value=30), attended=st.booleans())
    def attendance(self, i, attended):
        outcome = Registration.Attendance.ATTENDED if attended else Registration.Attendance.NO_SHOW
        with contextlib.suppress(services.RegistrationRefused):
            services.mark_attendance(self.person(i), outcome)

    @rule(more=st.integers(min_value=0, max_value=3))
    def publish_capacity(self, more):
        # A stale page object on purpose: the one made at the start, holding no seat at all.
        event = self.event
        capacity = event.capacity + more if event.capacity is not None else None
        services.change_event(event, capacity=capacity)  # publishing promotes whoever now fits

    @rule()
    def publish_the_first_revision_again(self):
        self.first_revision.publish()

    @rule()
    def cancel_event(self):
        services.cancel_event(self.event)

    @invariant()
    def the_column_is_the_count(self):
        if self.event is not None:
            assert stored_seats(self.event) == counted_seats(self.event)


def test_the_column_equals_the_confirmed_seats_after_every_step(event_index):
    SeatColumn.index = event_index
    run_state_machine_as_test(
        SeatColumn, settings=settings(max_examples=60, stateful_step_count=25, deadline=None)
    )


def test_a_revision_never_carries_an_old_count_back(event, person):
    revision = event.save_revision()
    services.register(event, data=person(brings_carer=True))
    assert revision.as_object().confirmed_seats == 2  # the live value, not the revision's 0
    revision.publish()
    event.refresh_from_db()
    assert event.confirmed_seats == 2
    assert "confirmed_seats" in revision.content  # saved in it, but never read back


def test_saving_a_stale_page_object_keeps_the_rows_count(event, person):
    stale = EventPage.objects.get(pk=event.pk)
    services.register(event, data=person())
    stale.title = "Renamed"
    stale.save()
    assert stale.confirmed_seats == 1  # read again from the row
    assert stored_seats(event) == 1
    stale.unpublish()
    assert stored_seats(event) == 1


def test_a_copy_starts_with_no_seats(event, event_index, person):
    services.register(event, data=person())
    copy = event.copy(update_attrs={"slug": "a-copy", "title": "A copy"}, to=event_index)
    assert stored_seats(copy) == 0 and stored_seats(event) == 1


def test_the_editor_has_no_field_for_it():
    panels = EventPage.get_edit_handler()
    assert "confirmed_seats" not in panels.get_form_options().get("fields", [])
    assert "confirmed_seats" in EventPage.exclude_fields_in_copy


def test_the_data_migration_fills_the_column(event_factory):
    full, empty = event_factory(capacity=5), event_factory(capacity=5)
    RegistrationFactory(event=full, brings_carer=True)
    RegistrationFactory(event=full)
    RegistrationFactory(event=full, status=Registration.Status.WAITING)
    RegistrationFactory(event=full, status=Registration.Status.CANCELLED)
    EventPage.objects.update(confirmed_seats=7)
    migration = importlib.import_module("events.migrations.0008_fill_confirmed_seats")
    migration.fill(apps, None)
    assert stored_seats(full) == 3 and stored_seats(empty) == 0
