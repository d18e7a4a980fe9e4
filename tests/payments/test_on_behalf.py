"""People without e-mail and claims entered on someone's behalf (issue 24, item 2).

A contributor may be recorded without an e-mail address or sign-in (their phone number and address kept
only with consent, noted); a coordinator enters a claim for them from a signed sheet or a call; another
coordinator decides it, never the one who entered it nor the contributor; the claim follows the same rules,
amounts and audit as any; the person is paid by a recorded payment and never e-mailed."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from payments import services
from payments.errors import ClaimError
from payments.models import ContributorProfile, InvolvementClaim
from payouts import services as payouts
from portal import audit

Status = InvolvementClaim.Status
User = get_user_model()
WORK = {
    "work_date": datetime.date(2025, 7, 1),
    "activity_type": "meeting",
    "duration_minutes": 130,
    "preparation_minutes": 0,
    "project": "Living well study",
}
CONSENT_DAY = datetime.date(2025, 6, 30)


@pytest.fixture
def second_coordinator(user_factory):
    return user_factory(email="second-coordinator@example.org", groups=["Coordinators"])


@pytest.fixture
def offline(coordinator, policy_versions):
    return services.record_offline_contributor(
        actor=coordinator,
        first_name="Maureen",
        last_name="Lowe",
        phone="0161 496 0000",
        postal_address="1 Mill Lane\nOldham",
        consent_how="Signed the involvement form",
        consent_on=CONSENT_DAY,
        payment_preference="bank_transfer",
    ).user


def enter(person, coordinator, **extra):
    return services.create_on_behalf(
        contributor=person,
        actor=coordinator,
        data={**WORK, **extra.pop("data", {})},
        entered_from=extra.pop("entered_from", "paper"),
        agreement=extra.pop("agreement", "Signed sheet dated 1 July 2025, filed"),
        **extra,
    )


# -- people without e-mail -------------------------------------------------------------------------


def test_a_contributor_is_recorded_without_email_or_sign_in_with_their_consent_noted(offline, coordinator):
    assert offline.email is None and not offline.has_usable_password()
    assert offline.is_contributor and str(offline) == "Maureen Lowe"
    profile = offline.contributor_profile
    assert profile.postal_address == "1 Mill Lane\nOldham" and offline.phone == "0161 496 0000"
    assert (profile.contact_consent_on, profile.contact_consent_how) == (
        CONSENT_DAY,
        "Signed the involvement form",
    )
    assert profile.contact_consent_recorded_by == coordinator
    [entry] = audit.trail(profile)
    assert entry.actor == coordinator and "without an e-mail address" in entry.note
    assert "Signed the involvement form" in entry.note


def test_people_without_email_cannot_sign_in(client, offline):
    assert not client.login(username="", password="")
    assert not client.login(email=None, password="anything")


def test_several_people_without_email_coexist_and_an_empty_address_is_stored_as_none(db, coordinator):
    first = User.objects.create_without_email(first_name="A", last_name="One")
    second = User.objects.create_without_email(first_name="B", last_name="Two")
    second.email = "   "
    second.save()
    assert User.objects.filter(email__isnull=True).count() == 2 and first.email is None
    User.objects.create_user("Someone@Example.org", first_name="C", last_name="Three")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("someone@example.org", first_name="D", last_name="Four")


def test_keeping_a_phone_or_address_needs_consent(coordinator, policy_versions):
    with pytest.raises(ClaimError, match="agreed to us keeping"):
        services.record_offline_contributor(
            actor=coordinator, first_name="Ann", last_name="Bell", phone="0161 000 0000"
        )
    profile = services.record_offline_contributor(actor=coordinator, first_name="Ann", last_name="Bell")
    assert profile.contact_consent_on is None and profile.postal_address == "" and profile.user.phone == ""


def test_the_same_name_and_phone_is_found_not_recorded_twice(offline, coordinator):
    with pytest.raises(ClaimError, match=f"person {offline.pk}"):
        services.record_offline_contributor(
            actor=coordinator,
            first_name="maureen",
            last_name="LOWE",
            phone="01614960000",
            consent_how="Phone call",
            consent_on=CONSENT_DAY,
        )


def test_only_coordinators_record_contributors(contributor, policy_versions):
    with pytest.raises(ClaimError, match="Only a coordinator"):
        services.record_offline_contributor(actor=contributor, first_name="A", last_name="B")


def test_stripe_cannot_be_chosen_for_someone_who_cannot_sign_in(coordinator, policy_versions):
    with pytest.raises(ClaimError, match="Stripe needs"):
        services.record_offline_contributor(
            actor=coordinator, first_name="A", last_name="B", payment_preference="stripe"
        )


def test_emails_with_perm_skips_people_without_email(db, coordinator):
    odd = User.objects.create_without_email(first_name="No", last_name="Mail")
    odd.groups.add(*coordinator.groups.all())
    recipients = User.objects.emails_with_perm(services.DECIDE)
    assert coordinator.email in recipients and None not in recipients and "" not in recipients


# -- claims entered on someone's behalf ------------------------------------------------------------


def test_an_entered_claim_is_marked_submitted_and_worked_out_like_any_other(
    offline, coordinator, contributor, make_claim
):
    claim = enter(offline, coordinator, entered_from="phone", agreement="Agreed on the phone on 2 July")
    own = make_claim(contributor, "submitted")
    assert claim.status == Status.SUBMITTED and claim.submitted_at is not None
    assert (claim.entered_by, claim.entered_from, claim.agreement_note) == (
        coordinator,
        "phone",
        "Agreed on the phone on 2 July",
    )
    assert (claim.fee_amount, claim.total_amount, claim.policy_version) == (
        own.fee_amount,
        own.total_amount,
        own.policy_version,
    )
    assert claim.explanation == own.explanation
    notes = [e.note for e in audit.trail(claim)]
    assert notes[0].startswith(f"Entered by {coordinator} on behalf of Maureen Lowe from a phone call")
    assert "Agreed on the phone on 2 July" in notes[0]
    assert notes[-1] == f"Submitted on Maureen Lowe's behalf by {coordinator}"


def test_the_same_rules_refuse_an_entered_claim(offline, coordinator):
    with pytest.raises(ClaimError, match="24 hours"):
        enter(offline, coordinator, data={"duration_minutes": 25 * 60})
    with pytest.raises(ClaimError, match="does not cover"):
        enter(offline, coordinator, data={"work_date": datetime.date(2020, 1, 1)})
    with pytest.raises(ClaimError, match="agreed"):
        enter(offline, coordinator, agreement="  ")
    with pytest.raises(ClaimError, match="came from"):
        enter(offline, coordinator, entered_from="carrier pigeon")
    assert not InvolvementClaim.objects.filter(contributor=offline).exists()


def test_expenses_from_the_sheet_are_added_and_a_refused_one_leaves_no_claim(offline, coordinator):
    claim = enter(
        offline,
        coordinator,
        expenses=[{"category": "travel", "amount": Decimal("8.40"), "description": "Bus fares"}],
    )
    assert claim.expenses_amount == Decimal("8.40") and claim.total_amount == claim.fee_amount + Decimal(
        "8.40"
    )
    with pytest.raises(ClaimError, match="receipt"):
        enter(
            offline,
            coordinator,
            data={"work_date": datetime.date(2025, 7, 2)},
            expenses=[{"category": "travel", "amount": Decimal("80.00")}],
        )
    assert InvolvementClaim.objects.filter(contributor=offline).count() == 1


def test_nobody_enters_a_claim_for_themselves_and_members_cannot_enter_any(offline, coordinator, contributor):
    with pytest.raises(ClaimError, match="yourself"):
        enter(coordinator, coordinator)
    with pytest.raises(ClaimError, match="Only a coordinator"):
        enter(offline, contributor)


@pytest.mark.parametrize("action", ["approve", "reject", "bulk"])
def test_the_coordinator_who_entered_a_claim_never_decides_it(action, offline, coordinator):
    claim = enter(offline, coordinator)
    if action == "bulk":
        done, refused = services.bulk_decide([claim], actor=coordinator, action="approve")
        assert done == [] and "you cannot approve it" in refused[0][1]
    else:
        with pytest.raises(ClaimError, match="You entered this claim"):
            if action == "approve":
                services.approve(claim, actor=coordinator)
            else:
                services.reject(claim, actor=coordinator, reason="No")
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


def test_nor_the_contributor_even_when_they_are_a_coordinator(user_factory, coordinator, policy_versions):
    colleague = user_factory(email="colleague@example.org", groups=["Coordinators", "Contributors"])
    claim = enter(colleague, coordinator)
    with pytest.raises(ClaimError, match="of your own"):
        services.approve(claim, actor=colleague)


def test_another_coordinator_approves_and_the_history_shows_who_did_what(
    offline, coordinator, second_coordinator
):
    claim = enter(offline, coordinator)
    services.approve(claim, actor=second_coordinator)
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED and claim.decided_by == second_coordinator
    trail = audit.trail(claim)
    assert [e.actor for e in trail] == [coordinator, coordinator, second_coordinator]
    assert [e.to_status for e in trail] == ["draft", "submitted", "approved"]


def test_the_entering_coordinator_may_correct_it_before_a_decision(offline, coordinator, second_coordinator):
    claim = enter(offline, coordinator)
    services.edit_claim(claim, actor=coordinator, data={"duration_minutes": 60})
    assert claim.duration_minutes == 60
    with pytest.raises(ClaimError, match="Only the person"):
        services.edit_claim(claim, actor=second_coordinator, data={"duration_minutes": 90})


def test_a_contributor_without_email_is_paid_by_a_recorded_payment_and_never_emailed(
    offline, coordinator, second_coordinator, django_capture_on_commit_callbacks
):
    claim = enter(offline, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(claim, actor=second_coordinator)
        payout = payouts.pay_claim_by_hand(
            claim,
            actor=second_coordinator,
            method="bank_transfer",
            paid_on=datetime.date.today(),
            reference="BACS-ML-1",
        )
    claim.refresh_from_db()
    assert (
        payout.status == "paid" and payout.method == "bank_transfer" and payout.amount == claim.total_amount
    )
    assert claim.status == Status.PAID
    assert all(None not in m.to and "" not in m.to for m in mail.outbox)
    assert not [m for m in mail.outbox if "approved" in m.subject.lower() or "paid" in m.subject.lower()]


def test_a_voucher_works_too_and_stripe_is_never_chosen(offline, coordinator, second_coordinator, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    profile = offline.contributor_profile
    profile.payment_preference = ContributorProfile.PaymentPreference.VOUCHER
    profile.save()
    claim = enter(offline, coordinator)
    services.approve(claim, actor=second_coordinator)
    run, _ = payouts.create_run(actor=second_coordinator, claim_ids=[claim.pk])
    payout = run.payouts.get()
    assert payout.method == "voucher"
    payouts.record_manual_payment(
        payout,
        actor=coordinator,
        paid_on=datetime.date.today(),
        reference="VOUCH-7",
        voucher_provider="Love2Shop",
    )
    payout.refresh_from_db()
    assert payout.status == "paid"


# -- the admin screens -----------------------------------------------------------------------------


def enter_form(person, **extra):
    return {
        "contributor": str(person.pk),
        "entered_from": "paper",
        "agreement": "Signed sheet dated 1 July 2025",
        "work_date": "2025-07-01",
        "activity_type": "meeting",
        "hours": "2",
        "minutes": "10",
        "preparation_hours": "0",
        "preparation_minutes": "0",
        "project": "Living well study",
        "notes": "",
        "expenses-TOTAL_FORMS": "1",
        "expenses-INITIAL_FORMS": "0",
        "expenses-category": "",
        "expenses-0-category": "travel",
        "expenses-0-amount": "4.20",
        "expenses-0-description": "Bus",
        **extra,
    }


NEW_SCREENS = ["payments_claims:enter", "payments_contributors:add_without_email"]


@pytest.mark.parametrize("name", NEW_SCREENS)
def test_anonymous_and_members_are_kept_out_of_the_new_screens(name, client, contributor, editor, offline):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    for person in (contributor, editor):
        client.force_login(person)
        for response in (client.get(url), client.post(url, enter_form(offline))):
            assert response.status_code in (302, 403), (person, response.status_code)
            if response.status_code == 302:
                # No admin access: to the admin sign-in; admin access without the permission: home.
                location = response["Location"]
                assert "/admin/login/" in location or location == reverse("wagtailadmin_home"), location
    assert not InvolvementClaim.objects.filter(contributor=offline).exists()


def test_a_coordinator_enters_a_claim_through_the_screen(client, coordinator, second_coordinator, offline):
    client.force_login(coordinator)
    page = client.get(reverse("payments_claims:enter") + f"?contributor={offline.pk}")
    assert page.status_code == 200 and "Maureen Lowe" in page.content.decode()
    response = client.post(reverse("payments_claims:enter"), enter_form(offline))
    claim = InvolvementClaim.objects.get(contributor=offline)
    assert response.status_code == 302 and response["Location"] == reverse(
        "payments_claims:inspect", args=[claim.pk]
    )
    assert claim.status == Status.SUBMITTED and claim.entered_by == coordinator
    assert claim.expenses_amount == Decimal("4.20")
    # The entering coordinator sees why they cannot decide it, and a decision they post is refused.
    inspect = client.get(reverse("payments_claims:inspect", args=[claim.pk])).content.decode()
    assert 'id="entered-by-me"' in inspect and "Approve £" not in inspect
    assert "Signed sheet dated 1 July 2025" in inspect
    client.post(reverse("payments_claims:decide", args=[claim.pk]), {"action": "approve"})
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED
    # Another coordinator sees the approve button and approves.
    client.force_login(second_coordinator)
    inspect = client.get(reverse("payments_claims:inspect", args=[claim.pk])).content.decode()
    assert "Approve £" in inspect and 'id="claim-entered-by"' in inspect
    client.post(reverse("payments_claims:decide", args=[claim.pk]), {"action": "approve"})
    claim.refresh_from_db()
    assert claim.status == Status.APPROVED and claim.decided_by == second_coordinator


def test_the_entering_screen_explains_bad_input_without_saving(client, coordinator, offline):
    client.force_login(coordinator)
    response = client.post(reverse("payments_claims:enter"), enter_form(offline, agreement=""))
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    response = client.post(
        reverse("payments_claims:enter"), enter_form(offline, contributor=str(coordinator.pk))
    )
    assert response.status_code == 400
    response = client.post(reverse("payments_claims:enter"), enter_form(offline, work_date="2020-01-01"))
    assert response.status_code == 400 and "does not cover" in response.content.decode()
    response = client.post(reverse("payments_claims:enter"), enter_form(offline, hours="x"))
    assert response.status_code == 400
    assert not InvolvementClaim.objects.filter(contributor=offline).exists()


def test_a_coordinator_records_a_contributor_through_the_screen(client, coordinator, policy_versions):
    client.force_login(coordinator)
    url = reverse("payments_contributors:add_without_email")
    assert client.get(url).status_code == 200
    missing_consent = client.post(url, {"first_name": "Joe", "last_name": "Bloggs", "phone": "0161 1"})
    assert missing_consent.status_code == 400 and "Say how they agreed" in missing_consent.content.decode()
    response = client.post(
        url,
        {
            "first_name": "Joe",
            "last_name": "Bloggs",
            "phone": "0161 1",
            "consent_how": "On the phone",
            "consent_on": "2025-06-30",
            "payment_preference": "voucher",
        },
    )
    profile = ContributorProfile.objects.get(user__last_name="Bloggs")
    assert response.status_code == 302 and response["Location"] == reverse(
        "payments_contributors:inspect", args=[profile.pk]
    )
    assert profile.user.email is None and profile.payment_preference == "voucher"
    assert client.get(reverse("payments_contributors:index")).status_code == 200
    assert client.get(reverse("payments_contributors:inspect", args=[profile.pk])).status_code == 200


def test_the_profile_admin_keeps_an_address_only_with_consent(client, coordinator, offline):
    profile = offline.contributor_profile
    client.force_login(coordinator)
    url = reverse("payments_contributors:edit", args=[profile.pk])
    form = {
        "user": str(offline.pk),
        "display_name": "Maureen Lowe",
        "payment_preference": "bank_transfer",
        "postal_address": "2 New Street",
        "contact_consent_on": "",
        "contact_consent_how": "",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and "only with the person&#x27;s consent" in response.content.decode()
    profile.refresh_from_db()
    assert profile.postal_address == "1 Mill Lane\nOldham"
    response = client.post(url, {**form, "contact_consent_on": "2025-07-01", "contact_consent_how": "Letter"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.postal_address, profile.contact_consent_how) == ("2 New Street", "Letter")


def test_a_contributor_with_an_account_sees_the_claim_entered_for_them(
    client, contributor, coordinator, policy_versions
):
    claim = enter(contributor, coordinator, entered_from="phone", agreement="Agreed on the phone on 2 July")
    client.force_login(contributor)
    page = client.get(reverse("payments:claim_detail", args=[claim.pk])).content.decode()
    assert 'id="claim-entered-for-you"' in page and "from a phone call" in page
    assert "Agreed on the phone on 2 July" in page
