import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from events import services as event_services
from events.factories import EventIndexPageFactory, EventPageFactory
from payments import services
from payments.factories import build_policy
from payouts import services as payouts

OLD_RATE_FROM = datetime.date(2024, 4, 1)
NEW_RATE_FROM = datetime.date(2025, 6, 1)


def pay_by_hand(claim, coordinator, reference="BACS-TEST"):
    """Pays an approved claim as a coordinator would from the claim's page: a recorded bank transfer."""
    return payouts.pay_claim_by_hand(
        claim, actor=coordinator, method="bank_transfer", paid_on=datetime.date.today(), reference=reference
    )


@pytest.fixture
def policy_versions(db):
    """£25/h from 1 April 2024, £27.50/h from 1 June 2025."""
    old = build_policy(OLD_RATE_FROM, Decimal("25.00"))
    new = build_policy(NEW_RATE_FROM, Decimal("27.50"), policy=old.policy)
    return old, new


@pytest.fixture
def make_claim(policy_versions):
    """make_claim(user, status="submitted", approver=None, **fields): a claim brought to `status` through
    the services, as a person would."""

    def make(user, status="draft", approver=None, **fields):
        data = {
            "work_date": datetime.date(2025, 7, 1),
            "activity_type": "meeting",
            "duration_minutes": 130,
            "preparation_minutes": 0,
            "project": "Living well study",
        }
        data.update(fields)
        claim = services.create_draft(contributor=user, data=data)
        if status == "draft":
            return claim
        services.submit(claim, actor=user)
        if status == "submitted":
            return claim
        if status == "rejected":
            return services.reject(claim, actor=approver, reason="Not part of the project")
        services.approve(claim, actor=approver)
        if status == "paid":
            pay_by_hand(claim, approver)
            claim.refresh_from_db()
        elif status == "declined":
            services.mark_declined(claim, actor=approver)
        return claim

    return make


@pytest.fixture
def paid_event(home_page, policy_versions):
    """A paid-involvement workshop of 3 h 12 min, for claims that come from attendance."""
    index = EventIndexPageFactory(parent=home_page)
    start = timezone.make_aware(datetime.datetime(2025, 7, 1, 10, 0))
    return EventPageFactory(
        parent=index,
        title="Co-design workshop",
        start=start,
        end=start + datetime.timedelta(hours=3, minutes=12),
        is_paid_involvement=True,
        involvement_activity_type="Workshop",
    )


@pytest.fixture
def set_attendance(django_capture_on_commit_callbacks):
    """Marks attendance the way organisers do, running what follows the commit (the claim it makes)."""

    def mark(registration, value):
        with django_capture_on_commit_callbacks(execute=True):
            event_services.mark_attendance(registration, value)

    return mark
