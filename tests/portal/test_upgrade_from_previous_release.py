"""Upgrading keeps the data: a database at the schema of the previous release, filled through the models
of that moment, migrates to today's schema with every row intact, and today's code works on it.

The previous release is v0.1.0, commit e1caad4 on main (the commit before issue 23's work). Its leaf
migration for each of the project's apps is recorded below; the test migrates back to those, fills the
database through the historical models, migrates forward to the latest migrations and checks. When a
release is tagged, the next one moves PREVIOUS_RELEASE and the leaves to it. Runs on SQLite and
PostgreSQL. (Third-party apps stay at today's migrations: their versions are pinned by pyproject.toml.)
"""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

PREVIOUS_RELEASE = "e1caad4"
LEAVES_AT_PREVIOUS_RELEASE = [
    ("accounts", "0002_groups"),
    ("home", "0005_payments_contact_welfare_adviser_accessibility"),
    ("library", "0009_listing_counts_key"),
    ("events", "0008_fill_confirmed_seats"),
    ("payments", "0013_preference_unchosen_late_notice_receipt_reason"),
    ("payouts", "0004_paymentrun_planned_on"),
    ("opportunities", "0003_application_withdrawn_from"),
    ("portal", "0001_initial"),
]


def migrate(targets):
    MigrationExecutor(connection).migrate(targets)


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_every_project_app_has_its_previous_release_leaf_recorded():
    graph = MigrationExecutor(connection).loader.graph
    assert {app for app, _ in LEAVES_AT_PREVIOUS_RELEASE} == set(settings.PROJECT_APPS)
    for node in LEAVES_AT_PREVIOUS_RELEASE:
        assert node in graph.nodes, f"{node} is gone: squashing must keep the previous release's migrations"


@pytest.fixture
def previous_release(restore_migration_data):
    migrate(LEAVES_AT_PREVIOUS_RELEASE)
    yield MigrationExecutor(connection).loader.project_state(LEAVES_AT_PREVIOUS_RELEASE).apps
    migrate(latest())


class OldSite:
    """Rows made through the previous release's historical models (no methods, no services: the data a
    database of that release holds)."""

    def __init__(self, old):
        self.old = old
        self.ContentType = old.get_model("contenttypes", "ContentType")
        self.Page = old.get_model("wagtailcore", "Page")
        self.root = self.Page.objects.get(depth=1)
        self.locale = old.get_model("wagtailcore", "Locale").objects.first()
        self.children = 0

    def page(self, app_label, model_name, slug, **fields):
        """A live page under the tree's root, with the tree columns treebeard would have written."""
        model = self.old.get_model(app_label, model_name)
        content_type, _ = self.ContentType.objects.get_or_create(
            app_label=app_label, model=model_name.lower()
        )
        self.children += 1
        page = model.objects.create(
            title=fields.pop("title"),
            draft_title=fields.get("draft_title", slug),
            slug=slug,
            content_type=content_type,
            path=f"{self.root.path}{9000 + self.children:04d}",
            depth=self.root.depth + 1,
            numchild=0,
            url_path=f"{self.root.url_path}{slug}/",
            live=True,
            locale=self.locale,
            **fields,
        )
        self.Page.objects.filter(pk=self.root.pk).update(numchild=self.root.numchild + self.children)
        return page


def test_a_database_of_the_previous_release_upgrades_with_its_data_and_works(previous_release):
    old = previous_release
    # Back at the previous release: this table is not there yet.
    assert "portal_scheduledrun" not in connection.introspection.table_names()
    site = OldSite(old)
    User = old.get_model("accounts", "User")
    Group = old.get_model("auth", "Group")
    coordinator = User.objects.create(email="old-coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    person = User.objects.create(email="old-contributor@example.org", first_name="Ada")

    now = timezone.now().replace(microsecond=0)
    event = site.page(
        "events",
        "EventPage",
        "planning-day",
        title="Planning day",
        summary="We plan next year's research together.",
        start=now + datetime.timedelta(days=10),
        end=now + datetime.timedelta(days=10, hours=3),
        capacity=20,
        access_provisions=["step_free", "hearing_loop"],
        confirmed_seats=2,
    )
    registration = old.get_model("events", "Registration").objects.create(
        event=event,
        user=person,
        name="Ada Lovelace",
        email="old-contributor@example.org",
        brings_carer=True,
        carer_name="Charles",
        seats=2,
        access_needs=["bsl"],
        consent_to_keep_access_info=True,
        status="confirmed",
        confirmed_at=now,
    )
    opportunity = site.page(
        "opportunities",
        "OpportunityPage",
        "advisory-panel",
        title="Advisory panel",
        summary="Join our advisory panel.",
        role_kind="advisory_panel",
        topic="mental_health",
        who_for="People with lived experience of mental ill health.",
        closing_date=(now + datetime.timedelta(days=30)).date(),
    )
    application = old.get_model("opportunities", "Application").objects.create(
        opportunity=opportunity,
        user=person,
        name="Ada Lovelace",
        email="old-contributor@example.org",
        answers=[{"question": "Why?", "answer": "To help."}],
        access_needs="Large print, please.",
        status="received",
    )
    Version = old.get_model("payments", "PolicyVersion")
    version = Version.objects.create(
        policy=old.get_model("payments", "PaymentPolicy").objects.create(name="Standard"),
        effective_from=datetime.date(2024, 4, 6),
    )
    claim = old.get_model("payments", "InvolvementClaim").objects.create(
        contributor=person,
        work_date=datetime.date(2026, 7, 1),
        activity_type="meeting",
        duration_minutes=90,
        project="Planning day",
        status="paid",
        tax_year=2026,
        policy_version=version,
        fee_amount=Decimal("41.25"),
        total_amount=Decimal("48.75"),
    )
    run = old.get_model("payouts", "PaymentRun").objects.create(created_by=coordinator)
    payout = old.get_model("payouts", "Payout").objects.create(
        run=run,
        contributor=person,
        method="stripe",
        status="paid",
        fee_amount=Decimal("41.25"),
        amount=Decimal("48.75"),
        stripe_transfer_id="tr_previous_release",
        paid_on=datetime.date(2026, 8, 1),
    )
    old.get_model("payouts", "PayoutItem").objects.create(
        payout=payout, claim=claim, fee_amount=Decimal("41.25"), expenses_amount=Decimal("7.50")
    )

    migrate(latest())

    from wagtail.models import Page

    from events import services as events
    from events.models import EventPage, Registration
    from opportunities.models import Application, OpportunityPage
    from payments.models import InvolvementClaim
    from payouts.models import Payout, PayoutItem
    from portal.models import ScheduledRun

    assert all(problems == [] for problems in Page.find_problems())
    upgraded = EventPage.objects.get(pk=event.pk)
    assert (upgraded.title, upgraded.url_path, upgraded.capacity, upgraded.access_provisions) == (
        "Planning day",
        "/planning-day/",
        20,
        ["step_free", "hearing_loop"],
    )
    kept = Registration.objects.get(pk=registration.pk)
    assert (kept.event_id, kept.user_id, kept.seats, kept.carer_name, kept.access_needs, kept.status) == (
        event.pk,
        person.pk,
        2,
        "Charles",
        ["bsl"],
        "confirmed",
    )
    assert OpportunityPage.objects.get(pk=opportunity.pk).closing_date == opportunity.closing_date
    applied = Application.objects.get(pk=application.pk)
    assert (applied.status, applied.access_needs, applied.answers) == (
        "received",
        "Large print, please.",
        [{"question": "Why?", "answer": "To help."}],
    )
    assert InvolvementClaim.objects.get(pk=claim.pk).total_amount == Decimal("48.75")
    paid = Payout.objects.get(pk=payout.pk)
    assert (paid.status, paid.amount, paid.stripe_transfer_id) == (
        "paid",
        Decimal("48.75"),
        "tr_previous_release",
    )
    assert PayoutItem.objects.get(payout=paid).claim_id == claim.pk

    # Today's code on yesterday's rows: a new registration counts the seats already taken...
    newcomer = events.register(
        upgraded, data={"name": "New Person", "email": "new@example.org", "preferred_contact": "email"}
    )
    assert newcomer.created and newcomer.registration.status == "confirmed"
    assert EventPage.objects.get(pk=event.pk).confirmed_seats == 3
    # ...and every scheduled job runs on the upgraded database.
    call_command("run_schedule", "--once", stdout=StringIO())
    assert ScheduledRun.objects.exists()
    assert set(ScheduledRun.objects.values_list("succeeded", flat=True)) == {True}, list(
        ScheduledRun.objects.values_list("job", "output")
    )
