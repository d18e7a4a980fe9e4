"""The application state machine, its e-mails, accepting an offer and the retention purge."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from opportunities import services
from opportunities.models import Application, EqualityMonitoring
from payments import claim_rules
from payments import services as claims
from payments.models import Involvement
from portal import audit

from .conftest import service_data

Status = Application.Status
pytestmark = pytest.mark.django_db


def test_apply_stores_the_application_and_sends_the_signed_link(
    opportunity, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = services.apply(opportunity, data=service_data(monitoring={"age_band": "45_64"}))
    assert application.status == Status.RECEIVED
    assert application.access_needs == "Large print please"
    [message] = mail.outbox
    assert message.to == ["amira@example.org"]
    assert "We have your application" in message.subject
    assert re.search(r"/applications/[^/\s]+/", message.body)
    # Monitoring answers are stored with no link to the application or the person.
    [answers] = EqualityMonitoring.objects.all()
    assert answers.age_band == "45_64"
    assert {f.name for f in EqualityMonitoring._meta.get_fields()}.isdisjoint(
        {"application", "user", "email"}
    )
    assert [entry.to_status for entry in audit.trail(application)] == ["received"]


def test_honeypot_and_closed_opportunity_are_refused(opportunity, closed_opportunity):
    with pytest.raises(services.ApplicationRefused, match="leave the last field empty"):
        services.apply(opportunity, data=service_data(website="http://spam.example"))
    with pytest.raises(services.ApplicationRefused, match="has closed"):
        services.apply(closed_opportunity, data=service_data())
    assert not Application.objects.exists()


def test_a_second_application_gets_a_fresh_link_and_a_withdrawn_one_reopens(
    opportunity, django_capture_on_commit_callbacks
):
    first = services.apply(opportunity, data=service_data())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.AlreadyApplied):
        services.apply(opportunity, data=service_data(email="AMIRA@example.org"))
    assert "link" in mail.outbox[-1].subject.lower()
    services.withdraw(first)
    again = services.apply(opportunity, data=service_data(access_needs="BSL"))
    assert again.pk == first.pk and again.status == Status.RECEIVED and again.access_needs == "BSL"
    assert Application.objects.count() == 1


def test_coordinator_decisions_follow_the_state_machine_and_email_the_applicant(
    make_application, coordinator, contributor, django_capture_on_commit_callbacks
):
    application = make_application()
    with pytest.raises(services.ApplicationRefused, match="Only a coordinator"):
        services.decide(application, to_status=Status.SHORTLISTED, actor=contributor)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(application, to_status=Status.SHORTLISTED, actor=coordinator, note="Strong")
        services.decide(application, to_status=Status.OFFERED, actor=coordinator)
    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "You are on the shortlist",
        "We would like to offer you a place",
    ]
    with pytest.raises(services.ApplicationRefused, match="cannot be moved to shortlisted"):
        services.decide(application, to_status=Status.SHORTLISTED, actor=coordinator)
    with pytest.raises(services.ApplicationRefused, match="not a decision"):
        services.decide(application, to_status=Status.ACCEPTED, actor=coordinator)
    trail = audit.trail(application)
    assert [(e.from_status, e.to_status) for e in trail] == [
        ("", "received"),
        ("received", "shortlisted"),
        ("shortlisted", "offered"),
    ]
    assert trail[1].note == "Strong" and trail[1].actor == coordinator


def test_not_selected_is_a_kind_email_and_starts_the_retention_clock(
    make_application, coordinator, django_capture_on_commit_callbacks
):
    application = make_application()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(application, to_status=Status.NOT_SELECTED, actor=coordinator)
    assert "not been able to offer you a place this time" in mail.outbox[-1].body
    assert "apply again" in mail.outbox[-1].body
    application.refresh_from_db()
    assert application.access_info_retain_until > timezone.now() + datetime.timedelta(days=170)


def test_accepting_creates_an_account_once_with_a_set_password_link(
    make_application, coordinator, django_capture_on_commit_callbacks
):
    application = make_application(Status.OFFERED, coordinator=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.accept_offer(application)
    assert result.new_account
    user = get_user_model().objects.get(email="amira@example.org")
    assert not user.has_usable_password()
    assert user.is_contributor
    assert (user.first_name, user.last_name) == ("Amira", "Hassan")
    [involvement] = Involvement.objects.filter(person=user)
    assert involvement.title == "Lived experience panel"
    assert involvement.opportunity_id == application.opportunity_id
    assert involvement.start_date == application.opportunity.starts_on
    assert user.contributor_profile.display_name == "Amira Hassan"
    [message] = [m for m in mail.outbox if m.subject.startswith("Welcome")]
    link = re.search(r"/account/password-reset/[^/]+/[^/\s]+/", message.body).group(0)
    # The link is Django's password-reset link: it lets the person set a password.
    assert link

    again = services.accept_offer(application, actor=coordinator)
    assert again.already_accepted
    assert get_user_model().objects.filter(email="amira@example.org").count() == 1
    assert Involvement.objects.filter(person=user).count() == 1
    assert len([m for m in mail.outbox if m.subject.startswith("Welcome")]) == 1


def test_accepting_links_an_existing_account(
    make_application, coordinator, contributor, django_capture_on_commit_callbacks
):
    application = make_application(Status.OFFERED, coordinator=coordinator, email=contributor.email)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.accept_offer(application, actor=coordinator)
    assert not result.new_account
    application.refresh_from_db()
    assert application.user == contributor
    assert application.involvement.person == contributor
    assert "Sign in with your existing account" in mail.outbox[-1].body
    assert "password-reset" not in mail.outbox[-1].body


def test_only_an_offer_can_be_accepted_and_only_by_a_coordinator_or_the_applicant(
    make_application, coordinator, editor
):
    application = make_application()
    with pytest.raises(services.ApplicationRefused, match="cannot be accepted"):
        services.accept_offer(application)
    services.decide(application, to_status=Status.OFFERED, actor=coordinator)
    with pytest.raises(services.ApplicationRefused, match="Only a coordinator"):
        services.accept_offer(application, actor=editor)
    assert not Involvement.objects.exists()


def test_the_new_contributor_claims_against_the_involvement_at_the_policy_rate(
    make_application, coordinator, opportunity
):
    application = make_application(Status.ACCEPTED, coordinator=coordinator)
    user, involvement = application.user, application.involvement
    day = timezone.localdate() - datetime.timedelta(days=1)
    claim = claims.create_draft(
        contributor=user,
        data={
            "work_date": day,
            "activity_type": "meeting",
            "duration_minutes": opportunity.session_minutes,
            "preparation_minutes": opportunity.preparation_minutes,
            "project": opportunity.title,
            "involvement": involvement,
        },
    )
    # 130 min rounds to 135 min (2 h 15) at £25/h = £56.25; 60 min preparation at £25/h = £25.00.
    assert claim.total_amount == Decimal("81.25")
    assert claim.involvement == involvement
    # The page's "what it pays" is the same calculation.
    from opportunities.pay import what_it_pays

    assert what_it_pays(opportunity, day).session_total == claim.total_amount
    claims.submit(claim, actor=user)
    claims.approve(claim, actor=coordinator)
    from payments import reports

    [row] = reports.totals_per_involvement_per_tax_year()
    assert row["involvement_id"] == involvement.pk
    assert row["involvement__opportunity__title"] == opportunity.title
    assert row["total"] == Decimal("81.25")
    assert row["hours"] == Decimal("3.2")  # 130 + 60 minutes
    [by_opportunity] = reports.totals_per_opportunity_per_tax_year()
    assert by_opportunity["people"] == 1 and by_opportunity["total"] == Decimal("81.25")


def test_a_claim_cannot_name_someone_elses_involvement(
    make_application, coordinator, other_contributor, policy
):
    application = make_application(Status.ACCEPTED, coordinator=coordinator)
    with pytest.raises(claims.ClaimError, match="your own roles"):
        claims.create_draft(
            contributor=other_contributor,
            data={
                "work_date": timezone.localdate(),
                "activity_type": "meeting",
                "duration_minutes": 60,
                "project": "x",
                "involvement": application.involvement,
            },
        )


def test_purge_deletes_access_information_and_monitoring_after_retention(
    make_application, coordinator, opportunity
):
    decided = make_application(Status.NOT_SELECTED, coordinator=coordinator, monitoring={"gender": "woman"})
    waiting = make_application(email="ben@example.org", name="Ben", access_needs="Step-free")
    assert EqualityMonitoring.objects.count() == 1
    assert services.purge_access_info() == (0, 0)
    later = decided.access_info_retain_until + datetime.timedelta(minutes=1)
    monitoring_due = datetime.datetime.combine(
        opportunity.closing_date + datetime.timedelta(days=181), datetime.time(12), tzinfo=datetime.UTC
    )
    assert services.purge_access_info(now=later) == (1, 0)
    decided.refresh_from_db()
    waiting.refresh_from_db()
    assert decided.access_needs == "" and decided.support_needed == "" and decided.access_info_purged_at
    assert decided.name == "Amira Hassan"  # only the access information goes
    assert waiting.access_needs == "Step-free"  # still being decided: kept
    # Half a year after closing: the monitoring answers go, and so do the needs of the application
    # nobody decided.
    assert services.purge_access_info(now=max(later, monitoring_due)) == (1, 1)
    assert not EqualityMonitoring.objects.exists()
    waiting.refresh_from_db()
    assert waiting.access_needs == ""


def test_purge_command(make_application, coordinator, capsys):
    from django.core.management import call_command

    make_application(Status.WITHDRAWN)
    Application.objects.update(access_info_retain_until=timezone.now() - datetime.timedelta(days=1))
    call_command("purge_application_access_needs")
    assert "1 application(s)" in capsys.readouterr().out
    assert Application.objects.get().access_needs == ""


def test_change_and_withdraw_only_while_open(make_application, coordinator):
    application = make_application()
    services.change_application(application, data={"access_needs": "Captions", "phone": "0117 000"})
    application.refresh_from_db()
    assert application.access_needs == "Captions"
    services.withdraw(application)
    with pytest.raises(services.ApplicationRefused, match="withdrawn, so it cannot be changed"):
        services.change_application(application, data={"access_needs": "x"})
    with pytest.raises(services.ApplicationRefused):
        services.withdraw(application)


def test_what_it_pays_is_worked_out_from_the_policy(opportunity, policy):
    from opportunities.pay import what_it_pays

    pay = what_it_pays(opportunity)
    version, result = claim_rules.preview(
        type(
            "Example",
            (),
            {
                "work_date": timezone.localdate(),
                "activity_type": "meeting",
                "duration_minutes": 130,
                "preparation_minutes": 60,
            },
        )(),
        expenses=[],
    )
    assert pay.version == version
    assert list(pay.lines) == result.lines
    assert pay.session_total == Decimal("81.25")
    assert "£81.25 a month" in pay.monthly_estimate


def test_what_it_pays_without_a_policy_says_so(opportunity, policy):
    from opportunities.pay import what_it_pays
    from payments.models import PaymentPolicy

    PaymentPolicy.objects.update(is_active=False)
    assert "no payment policy" in what_it_pays(opportunity).problem


def test_purge_reaches_applications_never_decided_once_the_opportunity_is_long_closed(
    make_application, opportunity
):
    forgotten = make_application(access_needs="Hearing loop")
    long_after = datetime.datetime.combine(
        opportunity.closing_date + datetime.timedelta(days=181), datetime.time(12), tzinfo=datetime.UTC
    )
    assert services.purge_access_info(now=long_after - datetime.timedelta(days=2))[0] == 0
    assert services.purge_access_info(now=long_after)[0] == 1
    forgotten.refresh_from_db()
    assert forgotten.access_needs == "" and forgotten.status == Status.RECEIVED
