"""Property test: whatever people do, seats stay within capacity and the waiting list stays fair."""

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import services
from events.models import Registration

pytestmark = pytest.mark.django_db

operation = st.one_of(
    st.tuples(st.just("register"), st.booleans()),  # with a carer?
    # A coordinator books someone without e-mail (sometimes the same person twice: refused).
    st.tuples(st.just("book"), st.booleans(), st.integers(min_value=0, max_value=3)),
    st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=30)),
    st.tuples(st.just("carer"), st.integers(min_value=0, max_value=30), st.booleans()),
)


def check_invariants(event):
    regs = list(Registration.objects.filter(event=event).order_by("created_at", "pk"))
    confirmed = sum(r.seats for r in regs if r.status == "confirmed")
    assert confirmed <= event.capacity
    waiting = [r for r in regs if r.status == "waiting"]
    if waiting:
        # Nobody waits while the person at the front of the queue would fit.
        assert waiting[0].seats > event.capacity - confirmed
    with_email = [r.email for r in regs if r.email]
    assert len(set(with_email)) == len(with_email)
    # People without e-mail: one registration per name and phone number, each told their way.
    without = [(r.name, r.phone) for r in regs if not r.email]
    assert len(set(without)) == len(without)
    for r in regs:
        if not r.email:
            assert r.entered_by_id is not None and r.booked_via != "online"
            assert r.contact_tasks.exists()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(capacity=st.integers(min_value=1, max_value=5), operations=st.lists(operation, max_size=25))
def test_capacity_and_queue_invariants(event_factory, user_factory, capacity, operations):
    event = event_factory(capacity=capacity)
    coordinator = user_factory(email="coordinator-invariants@example.org", groups=["Coordinators"])
    people = []
    for op in operations:
        if op[0] == "register":
            data = {"name": "P", "email": f"p{len(people)}@example.org", "brings_carer": op[1]}
            people.append(services.register(event, data=data).registration)
        elif op[0] == "book":
            data = {
                "name": f"Offline {op[2]}",
                "phone": f"0117 496 000{op[2]}",
                "consent_to_keep_contact_details": True,
                "brings_carer": op[1],
            }
            try:
                result = services.register(event, data=data, entered_by=coordinator, booked_via="phone")
            except services.AlreadyRegistered:
                continue
            if result.registration not in people:
                people.append(result.registration)
        elif people:
            registration = people[op[1] % len(people)]
            if op[0] == "cancel":
                services.cancel_registration(registration)
            else:
                with contextlib.suppress(services.RegistrationRefused):
                    services.change_needs(registration, data={"brings_carer": op[2]})
        check_invariants(event)
