import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.factories import UserFactory

from .models import (
    ActivityType,
    ContributorProfile,
    ExpenseCap,
    InvolvementClaim,
    PaymentPolicy,
    PolicyVersion,
    RateCard,
)


class PaymentPolicyFactory(DjangoModelFactory):
    class Meta:
        model = PaymentPolicy
        django_get_or_create = ("name",)

    name = "Involvement payment policy"
    is_active = True


class PolicyVersionFactory(DjangoModelFactory):
    class Meta:
        model = PolicyVersion

    policy = factory.SubFactory(PaymentPolicyFactory)
    effective_from = datetime.date(2024, 4, 1)
    rounding_increment_minutes = 15
    minimum_paid_minutes = 60
    preparation_ratio = Decimal("0.50")
    preparation_cap_minutes = 120
    mileage_rate = Decimal("0.45")
    receipt_required_above = Decimal("10.00")
    pay_within_days = 30


class RateCardFactory(DjangoModelFactory):
    class Meta:
        model = RateCard

    version = factory.SubFactory(PolicyVersionFactory)
    activity_type = ActivityType.MEETING
    hourly_rate = Decimal("25.00")
    is_paid = True


class ExpenseCapFactory(DjangoModelFactory):
    class Meta:
        model = ExpenseCap

    version = factory.SubFactory(PolicyVersionFactory)
    category = "subsistence"
    cap = Decimal("15.00")


class ContributorProfileFactory(DjangoModelFactory):
    class Meta:
        model = ContributorProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory, groups=["Contributors"])
    display_name = factory.LazyAttribute(lambda o: o.user.get_full_name() or o.user.email)


class ClaimFactory(DjangoModelFactory):
    """A claim row as stored; use payments.services to make state changes in tests of behaviour."""

    class Meta:
        model = InvolvementClaim

    contributor = factory.SubFactory(UserFactory, groups=["Contributors"])
    work_date = datetime.date(2025, 5, 1)
    activity_type = ActivityType.MEETING
    duration_minutes = 120
    project = "Living well study"


def build_policy(
    effective_from=datetime.date(2024, 4, 1),
    hourly=Decimal("25.00"),
    *,
    policy=None,
    unpaid=(ActivityType.SOCIAL,),
    **version_fields,
):
    """A version with a paid rate for every activity type (at `hourly`) except the `unpaid` ones."""
    policy = policy or PaymentPolicyFactory()
    version = PolicyVersionFactory(policy=policy, effective_from=effective_from, **version_fields)
    for value, _label in ActivityType.choices:
        RateCard.objects.create(
            version=version,
            activity_type=value,
            hourly_rate=Decimal("0.00") if value in unpaid else Decimal(hourly),
            is_paid=value not in unpaid,
        )
    return version
