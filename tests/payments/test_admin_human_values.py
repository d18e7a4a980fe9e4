"""Coordinators read human values on every custom money screen of the admin: money to 2 places,
durations in days, tax years as 2025–26, labels and never the stored value of a choice (`bank_transfer`,
`partially_reversed`), never "True"/"False", never a raw timedelta.

The addresses are found, not listed: every named URL pattern under /admin/ in the money namespaces,
each filled with a real object's id, rendered as a superuser on the demo data plus an object for every
choice value the demo lacks.
"""

import datetime
import html
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from payments import services
from payments.models import (
    ActivityType,
    BenefitFigures,
    ClaimExpense,
    ClaimStatus,
    ContributorProfile,
    EnteredFrom,
    ExpenseCategory,
    Involvement,
    InvolvementClaim,
    PaymentPolicy,
    PolicyVersion,
)
from payouts.models import PaymentRun, Payout, PayoutItem
from tests.portal.fuzzing import parameters, reverse_or_none, url_patterns

pytestmark = pytest.mark.django_db

# The money screens: payments' viewsets and actions, the payouts admin and payment runs.
NAMESPACES = ("payments_", "payouts_admin", "payment_runs")
# Addresses that answer with a file or only take posts.
NOT_PAGES = ("reports_export", "decide", "send", "close", "cancel", "reopen", "reverse", "pay_claim")

UNROUNDED_MONEY = re.compile(r"\d+\.\d{3,}")
RAW_TIMEDELTA = re.compile(r"\d+:\d\d:\d\d(\.\d+)?|\d+ days?, \d+:\d\d")
RAW_BOOLEAN = re.compile(r"\b(True|False|None)\b")
TAX_YEAR_LABEL = re.compile(r"\b20\d\d\s*/\s*\d\d\b|Tax year 20\d\d\b(?!\s*[–-])")
CHOICES = [ActivityType, ExpenseCategory, ClaimStatus, ContributorProfile.PaymentPreference]
CHOICES += [Payout.Method, Payout.Status, EnteredFrom]


def raw_choice_values():
    """Stored values a person must never read: those that differ from their label (`bank_transfer`,
    `approved` where the label is "Approved")."""
    return sorted({str(value) for choices in CHOICES for value, label in choices.choices if value != label})


def visible_text(page):
    """The text a person reads: scripts, styles, hidden parts and tags removed, entities decoded."""
    page = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", page)
    page = re.sub(r"(?is)<(div|span|p)\b[^>]*\shidden\b[^>]*>.*?</\1>", " ", page)
    page = re.sub(r"(?is)<!--.*?-->", " ", page)
    page = re.sub(r"(?s)<[^>]+>", "\n", page)
    return "\n".join(line.strip() for line in html.unescape(page).splitlines() if line.strip())


def problems_in(text):
    found = []
    for pattern, what in (
        (UNROUNDED_MONEY, "unrounded money"),
        (RAW_TIMEDELTA, "a raw duration"),
        (RAW_BOOLEAN, "True/False/None"),
        (TAX_YEAR_LABEL, "a tax year not written as 2025–26"),
    ):
        found += [f"{what}: {m.group(0)!r}" for m in pattern.finditer(text)]
    lines = set(text.splitlines())
    for value in raw_choice_values():
        # snake_case values anywhere; a single-word value standing alone in a cell ("approved")
        snake = "_" in value and re.search(rf"\b{re.escape(value)}\b", text)
        if snake or value in lines:
            found.append(f"a stored choice value: {value!r}")
    return found


@pytest.fixture
def world(db):
    """The demo data, plus what makes every choice value appear on some screen."""
    call_command("load_demo_data", stdout=StringIO())
    coordinator = User.objects.get(email="coordinator@example.org")
    contributor = User.objects.get(email="contributor@example.org")
    claim = InvolvementClaim.objects.filter(contributor=contributor, status=ClaimStatus.DRAFT).first()
    for category in ExpenseCategory.values:
        ClaimExpense.objects.create(
            claim=claim,
            category=category,
            amount=Decimal("12.50"),
            miles=Decimal("10.0") if category == ExpenseCategory.MILEAGE else None,
        )
    for n, preference in enumerate(ContributorProfile.PaymentPreference.values):
        user = User.objects.create_user(email=f"payee-{n}@example.org", password="x")
        ContributorProfile.objects.create(
            user=user, display_name=preference.title(), payment_preference=preference, charity_name="Mind"
        )
    # Benefit details on a profile, a person without e-mail and a claim entered on their behalf.
    ContributorProfile.objects.filter(user=contributor).update(
        uc_assessment_start_day=31, uc_work_allowance="lower", esa_permitted_work_limit="higher"
    )
    offline = services.record_offline_contributor(
        actor=coordinator, first_name="Paper", last_name="Person"
    ).user
    services.create_on_behalf(
        contributor=offline,
        actor=coordinator,
        data={
            "work_date": datetime.date(2025, 7, 1),
            "activity_type": "meeting",
            "duration_minutes": 90,
            "project": "Panel",
        },
        entered_from=EnteredFrom.IN_PERSON,
        agreement="Signed sheet",
    )
    # A payout in every status and method, so the payouts list and its filters show each label.
    run = PaymentRun.objects.create(created_by=coordinator, note="Every status")
    paid = InvolvementClaim.objects.filter(status=ClaimStatus.PAID).first()
    for n, (status, method) in enumerate(
        zip(Payout.Status.values, [*Payout.Method.values, *Payout.Method.values], strict=False)
    ):
        payout = Payout.objects.create(
            run=run,
            contributor=contributor,
            method=method,
            status=status,
            amount=Decimal("10.00") + n,
            fee_amount=Decimal("10.00") + n,
        )
        PayoutItem.objects.create(
            payout=payout,
            claim=paid,
            fee_amount=payout.amount,
            expenses_amount=Decimal("0.00"),
            released_at=timezone.now(),
            release_reason="Shown for every status",
        )
    # A claim approved long ago and still unpaid: overdue.
    overdue = InvolvementClaim.objects.filter(status=ClaimStatus.APPROVED).first()
    InvolvementClaim.objects.filter(pk=overdue.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=90),
        submitted_at=timezone.now() - datetime.timedelta(days=95, seconds=1.5),
    )
    ids = {
        "payments_claims": overdue.pk,
        "payments_policies": PaymentPolicy.objects.order_by("pk").first().pk,
        "payments_versions": PolicyVersion.objects.order_by("pk").first().pk,
        "payments_contributors": ContributorProfile.objects.order_by("pk").first().pk,
        "payments_involvements": Involvement.objects.order_by("pk").first().pk,
        "payouts_admin": Payout.objects.filter(run=run).first().pk,
        "payment_runs": run.pk,
        "payments_benefit_figures": BenefitFigures.objects.order_by("pk").first().pk,
    }
    return {"superuser": User.objects.get(email="admin@example.org"), "ids": ids}


def money_addresses(ids):
    found = []
    for name, patterns in url_patterns():
        namespace = name.rsplit(":", 1)[0] if ":" in name else ""
        if not namespace.startswith(NAMESPACES) or name.rsplit(":", 1)[-1].startswith(NOT_PAGES):
            continue
        names, _positional = parameters(patterns[0])
        key = next(k for k in sorted(ids, key=len, reverse=True) if namespace.startswith(k))
        kwargs = {param: ids[key] for param in names}
        url = reverse_or_none(name, kwargs=kwargs)
        if url is not None and url.startswith("/admin/"):
            found.append((name, url))
    return found


def test_every_money_admin_screen_shows_human_values(client, world):
    client.force_login(world["superuser"])
    addresses = money_addresses(world["ids"])
    names = {name for name, _url in addresses}
    # The enumeration found the screens this test is about (so it cannot pass by finding nothing).
    for expected in ("payments_claims:queue", "payments_claims:inspect", "payments_claims:reports"):
        assert expected in names
    assert "payouts_admin:index" in names and "payouts_admin:inspect" in names
    failures = []
    for name, url in addresses:
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        if "html" not in response.get("Content-Type", ""):
            continue
        failures += [f"{name} {url}: {p}" for p in problems_in(visible_text(response.content.decode()))]
    assert not failures, "\n".join(sorted(set(failures)))


def test_the_checks_catch_what_coordinators_used_to_read():
    text = visible_text(
        "<td>£322.200000000000</td><p>Decision wait 0:00:00.025274</p><td>bank_transfer</td>"
        "<td>approved</td><dd>May be credited False</dd><td>2025/26</td><p>Tax year 2025</p>"
    )
    found = " ".join(problems_in(text))
    for what in ("unrounded money", "raw duration", "True/False", "2025–26", "'bank_transfer'", "'approved'"):
        assert what in found
    assert (
        problems_in(visible_text("<td>£322.20</td><td>Bank transfer (recorded)</td><td>2025–26</td>")) == []
    )


def test_human_values_know_money_from_shares_and_hours():
    from payments.display import human
    from payments.models import RateCard

    version = PolicyVersion._meta
    assert human(Decimal("10"), version.get_field("receipt_required_above")) == "£10.00"
    assert human(Decimal("0.50"), version.get_field("preparation_ratio")) == Decimal("0.50")
    assert human(Decimal("3.00"), RateCard._meta.get_field("half_day_min_hours")) == Decimal("3.00")
    assert human(datetime.timedelta(days=3, hours=2)) == "3 days"
    assert human(datetime.timedelta(seconds=0.02)) == "less than a day"
    assert human(True) == "Yes" and human(None) == "Not set"
    assert human("bank_transfer", ContributorProfile._meta.get_field("payment_preference")).startswith("Bank")


# Events and opportunities: the attendees, registrations, feedback and applications screens --------

PEOPLE_NAMESPACES = ("events_admin", "events_feedback_summary", "opportunities_admin")
# Addresses that answer with a file or only take posts.
PEOPLE_NOT_PAGES = ("attendees_csv", "attendance", "promote")
# A field's name where its label belongs ("is_paid_involvement", or "Is paid involvement" when no label
# was given): on these screens every label is written for people.
RAW_FIELD_LABEL = re.compile(r"^(Is|Has) [a-z]+( [a-z]+)*$")


def choice_classes(*modules):
    """Every choices class the modules define or their models nest (Registration.Status...)."""
    from django.db import models as django_models

    found = set()
    for module in modules:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, django_models.Choices)
                and value.__module__.startswith(module.__name__.split(".")[0])
            ):
                found.add(value)
            if isinstance(value, type) and issubclass(value, django_models.Model):
                for nested in vars(value).values():
                    if isinstance(nested, type) and issubclass(nested, django_models.Choices):
                        found.add(nested)
    return sorted(found, key=lambda c: c.__qualname__)


def people_choices():
    import events.choices
    import events.models
    import opportunities.choices
    import opportunities.models

    return choice_classes(events.choices, events.models, opportunities.choices, opportunities.models)


def field_names(*models):
    """Every concrete field name (snake_case) of the models, which must never be read as a label."""
    return sorted(
        {f.name for model in models for f in model._meta.get_fields() if getattr(f, "concrete", False)}
        - {"id"}
    )


def people_problems(text, raw_values, names):
    found = problems_in(text)
    lines = set(text.splitlines())
    for value in raw_values:
        snake = "_" in value and re.search(rf"\b{re.escape(value)}\b", text)
        if snake or value in lines:
            found.append(f"a stored choice value: {value!r}")
    for name in names:
        if "_" in name and re.search(rf"\b{re.escape(name)}\b", text):
            found.append(f"a field name: {name!r}")
    found += [f"a field name as a label: {line!r}" for line in lines if RAW_FIELD_LABEL.match(line)]
    return found


@pytest.fixture
def people_world(db):
    """The demo data, plus a registration in every status and attendance with every access need, and an
    application in every status with every monitoring answer."""
    from events.choices import ContactPreference
    from events.models import AccessProvision, EventPage, Registration
    from opportunities.choices import ApplicationStatus
    from opportunities.models import Application, OpportunityPage

    call_command("load_demo_data", stdout=StringIO())
    event = EventPage.objects.filter(registrations__isnull=False).order_by("pk").first()
    event = event or EventPage.objects.order_by("pk").first()
    registrations = []
    for n, status in enumerate(Registration.Status.values):
        registrations.append(
            Registration.objects.create(
                event=event,
                name=f"Person {n}",
                email=f"person-{n}@example.org",
                status=status,
                attendance=Registration.Attendance.values[n % len(Registration.Attendance.values)],
                preferred_contact=ContactPreference.values[n % len(ContactPreference.values)],
                access_needs=AccessProvision.values,
                access_needs_other="A quiet room",
                brings_carer=n % 2 == 0,
                carer_name="Alex" if n % 2 == 0 else "",
            )
        )
    opportunity = OpportunityPage.objects.order_by("pk").first()
    applications = [
        Application.objects.create(
            opportunity=opportunity, name=f"Applicant {n}", email=f"applicant-{n}@example.org", status=status
        )
        for n, status in enumerate(ApplicationStatus.values)
    ]
    # A course-material file, so the staff download address has one to give (and the event's edit form
    # shows one, as the form that once answered 500 did).
    from django.core.files.base import ContentFile

    from events.models import EventMaterialFile

    material = EventMaterialFile(event=event, title="Course handbook")
    material.file.save("handbook.txt", ContentFile(b"Read before the session."), save=False)
    material.save()
    ids = {
        "event_id": event.pk,
        "file_id": material.pk,
        "registration_id": registrations[0].pk,
        "events_admin": registrations[0].pk,
        "events_feedback_summary": event.pk,
        "opportunities_admin": applications[0].pk,
    }
    return {"superuser": User.objects.get(email="admin@example.org"), "ids": ids, "event": event}


def people_addresses(ids):
    found = []
    for name, patterns in url_patterns():
        namespace = name.rsplit(":", 1)[0] if ":" in name else name
        if not namespace.startswith(PEOPLE_NAMESPACES) or name.rsplit(":", 1)[-1].startswith(
            PEOPLE_NOT_PAGES
        ):
            continue
        names, _positional = parameters(patterns[0])
        kwargs = {param: ids[param] if param in ids else ids[namespace] for param in names}
        url = reverse_or_none(name, kwargs=kwargs)
        if url is not None and url.startswith("/admin/"):
            found.append((name, url))
    return found


def test_every_events_and_opportunities_admin_screen_shows_human_values(client, people_world):
    from events.models import EventPage, Registration
    from opportunities.models import Application, OpportunityPage

    client.force_login(people_world["superuser"])
    addresses = people_addresses(people_world["ids"])
    event = people_world["event"]
    # The editing forms of the two page types, where field names used to be the labels.
    addresses += [
        ("event page edit", f"/admin/pages/{event.pk}/edit/"),
        ("opportunity page edit", f"/admin/pages/{OpportunityPage.objects.order_by('pk').first().pk}/edit/"),
    ]
    names = {name for name, _url in addresses}
    for expected in (
        "events_admin:attendees",
        "events_admin:event_list",
        "events_admin:index",
        "events_admin:inspect",
        "events_feedback_summary",
        "opportunities_admin:index",
        "opportunities_admin:application",
        "opportunities_admin:monitoring",
    ):
        assert expected in names, (expected, sorted(names))
    # Text choices only: a rating of 1 to 5 standing alone in a cell is a count or the rating itself.
    raw_values = sorted(
        {
            str(value)
            for choices in people_choices()
            if issubclass(choices, str)
            for value, label in choices.choices
            if str(value) != label
        }
    )
    assert {"step_free", "waiting", "shortlisted"} <= set(raw_values), raw_values
    fields = field_names(EventPage, Registration, Application, OpportunityPage)
    failures = []
    for name, url in addresses:
        response = client.get(url)
        if response.status_code == 405:
            continue  # an action posted from a screen (marking a call done), with no screen of its own
        assert response.status_code == 200, (name, url, response.status_code)
        if "html" not in response.get("Content-Type", ""):
            continue
        text = visible_text(response.content.decode())
        failures += [f"{name} {url}: {p}" for p in people_problems(text, raw_values, fields)]
    assert not failures, "\n".join(sorted(set(failures)))


def test_the_people_checks_catch_raw_values_and_field_names():
    text = visible_text(
        "<dt>Is paid involvement</dt><dd>True</dd><td>step_free</td><td>waiting</td>"
        "<th>access_needs_other</th><td>3</td>"
    )
    found = " ".join(people_problems(text, ["step_free", "waiting"], ["access_needs_other"]))
    for what in ("'Is paid involvement'", "True/False", "'step_free'", "'waiting'", "'access_needs_other'"):
        assert what in found
    clean = visible_text(
        "<dt>Paid involvement</dt><dd>Yes</dd><td>Step-free route</td><td>On the waiting list</td>"
    )
    assert people_problems(clean, ["step_free", "waiting"], ["access_needs_other"]) == []
