"""Moving payouts into their own app moved no rows: a database holding payouts made before the move
(payments at 0009, payouts not yet an app) migrates to today's models with every payout, claim link,
reversal and the coordinators' permissions intact.

The database is migrated back to where main stood before the move, filled through the historical models
of that moment, then migrated forward again. Runs on SQLite and PostgreSQL.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("payments", "0009_money_paid_once"), ("payouts", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def database_before_the_move(restore_migration_data):
    migrate(BEFORE)
    yield MigrationExecutor(connection).loader.project_state(BEFORE[0]).apps
    migrate(latest())


def test_payouts_made_before_the_move_are_all_there_after_it(database_before_the_move):
    old = database_before_the_move
    User = old.get_model("accounts", "User")
    Claim = old.get_model("payments", "InvolvementClaim")
    Policy = old.get_model("payments", "PaymentPolicy")
    Version = old.get_model("payments", "PolicyVersion")
    Run = old.get_model("payments", "PaymentRun")
    Payout = old.get_model("payments", "Payout")
    Item = old.get_model("payments", "PayoutItem")
    Reversal = old.get_model("payments", "PayoutReversal")
    Account = old.get_model("payments", "StripeAccount")

    coordinator = User.objects.create(email="old-coordinator@example.org")
    person = User.objects.create(email="old-contributor@example.org")
    version = Version.objects.create(
        policy=Policy.objects.create(name="Old"), effective_from=datetime.date(2024, 4, 6)
    )
    claim = Claim.objects.create(
        contributor=person,
        work_date=datetime.date(2025, 7, 1),
        activity_type="meeting",
        duration_minutes=60,
        project="Made before the move",
        status="paid",
        tax_year=2025,
        policy_version=version,
        fee_amount=Decimal("27.50"),
        total_amount=Decimal("27.50"),
    )
    Account.objects.create(user=person, account_id="acct_before_move", payouts_enabled=True)
    run = Run.objects.create(created_by=coordinator)
    payout = Payout.objects.create(
        run=run,
        contributor=person,
        method="stripe",
        status="partially_reversed",
        fee_amount=Decimal("27.50"),
        amount=Decimal("27.50"),
        stripe_transfer_id="tr_before_move",
        paid_on=datetime.date(2025, 8, 1),
    )
    Item.objects.create(payout=payout, claim=claim, fee_amount=Decimal("27.50"), expenses_amount=Decimal("0"))
    Reversal.objects.create(payout=payout, amount=Decimal("1.00"), on=datetime.date(2025, 8, 2))

    migrate(latest())

    from payments.models import InvolvementClaim
    from payouts import services
    from payouts.models import PaymentRun, Payout, PayoutItem, StripeAccount

    moved = Payout.objects.get(pk=payout.pk)
    assert (moved.status, moved.amount, moved.stripe_transfer_id, moved.run_id) == (
        "partially_reversed",
        Decimal("27.50"),
        "tr_before_move",
        run.pk,
    )
    assert PaymentRun.objects.filter(pk=run.pk).exists()
    assert StripeAccount.objects.get(user_id=person.pk).account_id == "acct_before_move"
    [item] = PayoutItem.objects.filter(payout=moved)
    assert item.claim_id == claim.pk and item.released_at is None
    assert InvolvementClaim.objects.get(pk=claim.pk).payout_items.get() == item
    assert services.reversed_total(moved) == Decimal("1.00")

    from django.contrib.auth.models import Group

    coordinators = Group.objects.get(name="Coordinators").permissions
    assert set(coordinators.filter(content_type__app_label="payouts").values_list("codename", flat=True)) >= {
        "view_payout",
        "change_payout",
        "view_paymentrun",
        "add_paymentrun",
    }
    assert not coordinators.filter(content_type__app_label="payments", codename__contains="payout").exists()
