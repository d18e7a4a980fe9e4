"""Benefit-aware warnings: Universal Credit assessment periods (UC Regulations 2013, reg. 21(2)), ESA
permitted-work weeks, payments counted by the date they are expected to be received, and the figures
coordinators keep per tax year (seeded by a data migration)."""

import calendar
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from payments import benefits
from payments.factories import ContributorProfileFactory
from payments.models import BenefitFigures, ContributorProfile, InvolvementClaim
from payments.viewsets import figures_viewset
from payouts import services as payouts

D = Decimal
start_days = st.integers(min_value=1, max_value=31)
months = st.tuples(st.integers(min_value=2020, max_value=2032), st.integers(min_value=1, max_value=12))


def payment(day, fee="50.00", label="a payment"):
    return benefits.ExpectedPayment(day, D(fee), label)


# -- periods ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start_day", "year", "month", "begins"),
    [
        (1, 2025, 2, 1),
        (15, 2025, 6, 15),
        (28, 2025, 2, 28),
        (31, 2025, 2, 28),  # the last day of each month
        (31, 2024, 2, 29),
        (31, 2025, 4, 30),
        (31, 2025, 5, 31),
        (30, 2025, 2, 27),  # February: the 27th ...
        (30, 2024, 2, 28),  # ... or the 28th in a leap year
        (29, 2025, 2, 27),
        (29, 2024, 2, 28),  # not the 29th, even though a leap February has one
        (30, 2025, 3, 30),
        (29, 2025, 4, 29),
    ],
)
def test_each_period_begins_as_regulation_21_2_says(start_day, year, month, begins):
    assert benefits.period_start_in(start_day, year, month) == datetime.date(year, month, begins)


def test_a_period_runs_to_the_day_before_the_next_begins():
    assert benefits.assessment_period(30, datetime.date(2025, 2, 26)) == (
        datetime.date(2025, 1, 30),
        datetime.date(2025, 2, 26),
    )
    assert benefits.assessment_period(30, datetime.date(2025, 2, 27)) == (
        datetime.date(2025, 2, 27),
        datetime.date(2025, 3, 29),
    )
    assert benefits.assessment_period(31, datetime.date(2025, 12, 31)) == (
        datetime.date(2025, 12, 31),
        datetime.date(2026, 1, 30),
    )


def test_a_start_day_outside_a_month_is_refused():
    for bad in (0, 32):
        with pytest.raises(ValueError):
            benefits.period_start_in(bad, 2025, 1)


@settings(max_examples=400, deadline=None)
@given(start_day=start_days, day=st.dates(datetime.date(2020, 1, 1), datetime.date(2032, 12, 31)))
def test_periods_hold_the_day_and_tile_the_calendar(start_day, day):
    first, last = benefits.assessment_period(start_day, day)
    assert first <= day <= last
    assert first == benefits.period_start_in(start_day, first.year, first.month)
    following = last + datetime.timedelta(days=1)
    assert following == benefits.period_start_in(start_day, following.year, following.month)
    assert benefits.assessment_period(start_day, following)[0] == following
    assert 27 <= (last - first).days + 1 <= 32
    # The same day each month, except where the month is too short (reg. 21(2)).
    if start_day <= 28:
        assert first.day == start_day
    elif start_day == 31:
        assert first.day == calendar.monthrange(first.year, first.month)[1]
    elif first.month == 2:
        assert first.day == (28 if calendar.isleap(first.year) else 27)
    else:
        assert first.day == start_day


# -- the warning: property over start days and month lengths ------------------------------------


def uc_profile(start_day):
    return ContributorProfile(display_name="Test", uc_assessment_start_day=start_day)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None)
@given(
    start_day=start_days,
    month=months,
    offsets=st.tuples(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=40)),
)
def test_uc_warning_fires_within_one_period_and_never_across_a_boundary(start_day, month, offsets):
    first = benefits.period_start_in(start_day, *month)
    _, last = benefits.assessment_period(start_day, first)
    length = (last - first).days + 1
    # Two payments inside one period, wherever they fall in it (the same day included): a warning.
    a = first + datetime.timedelta(days=offsets[0] % length)
    b = first + datetime.timedelta(days=offsets[1] % length)
    warnings = benefits.warnings_for(uc_profile(start_day), payment(a), [payment(b)])
    assert len(warnings) == 1 and "one Universal Credit assessment period" in warnings[0]
    assert f"{first.day} {first:%B %Y} to {last.day} {last:%B %Y}" in warnings[0]
    # One on the last day of the period, one on the first day of the next: no warning, either way round.
    following = last + datetime.timedelta(days=1)
    assert benefits.warnings_for(uc_profile(start_day), payment(last), [payment(following)]) == []
    assert benefits.warnings_for(uc_profile(start_day), payment(following), [payment(last)]) == []
    # Anywhere in this period and anywhere in the next: no warning.
    _, next_last = benefits.assessment_period(start_day, following)
    later = following + datetime.timedelta(days=offsets[1] % ((next_last - following).days + 1))
    assert benefits.warnings_for(uc_profile(start_day), payment(a), [payment(later)]) == []


@pytest.mark.django_db
def test_no_benefits_named_means_no_warnings():
    day = datetime.date(2025, 7, 1)
    profile = ContributorProfile(display_name="Test")
    assert benefits.warnings_for(profile, payment(day), [payment(day)]) == []
    assert benefits.warnings_for(None, payment(day), [payment(day)]) == []


# -- figures and the other warnings --------------------------------------------------------------


@pytest.mark.django_db
def test_the_figures_are_seeded_with_their_source_and_used_for_later_years_until_replaced():
    figures = BenefitFigures.objects.get(tax_year=2025)
    assert figures.esa_permitted_work_higher_weekly == D("195.50")
    assert figures.esa_permitted_work_lower_weekly == D("20.00")
    assert (figures.uc_work_allowance_lower_monthly, figures.uc_work_allowance_higher_monthly) == (
        D("411.00"),
        D("684.00"),
    )
    assert figures.trading_allowance == D("1000.00")
    assert "gov.uk" in figures.source
    assert BenefitFigures.for_tax_year(2027) == figures
    assert BenefitFigures.for_tax_year(2024) is None
    profile = ContributorProfile(display_name="T", esa_permitted_work_limit="lower")
    [warning] = benefits.warnings_for(profile, payment(datetime.date(2027, 6, 2), "25.00"), [])
    assert "2025–26" in warning and "none are recorded for later years" in warning


@pytest.mark.django_db
def test_esa_warning_counts_the_fees_expected_in_one_monday_to_sunday_week():
    profile = ContributorProfile(display_name="T", esa_permitted_work_limit="higher")
    wednesday = datetime.date(2025, 7, 2)
    sunday, next_monday = datetime.date(2025, 7, 6), datetime.date(2025, 7, 7)
    [warning] = benefits.warnings_for(profile, payment(wednesday, "100.00"), [payment(sunday, "100.00")])
    assert "£200.00" in warning and "£195.50" in warning and "30 June 2025 to 6 July 2025" in warning
    assert (
        benefits.warnings_for(profile, payment(wednesday, "100.00"), [payment(next_monday, "100.00")]) == []
    )
    assert benefits.warnings_for(profile, payment(wednesday, "195.50"), []) == []


@pytest.mark.django_db
def test_uc_work_allowance_is_compared_with_the_fees_in_the_period():
    profile = ContributorProfile(display_name="T", uc_assessment_start_day=1, uc_work_allowance="lower")
    one, two = datetime.date(2025, 7, 3), datetime.date(2025, 7, 20)
    warnings = benefits.warnings_for(profile, payment(one, "300.00"), [payment(two, "200.00")])
    assert len(warnings) == 2 and "£500.00" in warnings[1] and "£411.00" in warnings[1]


@pytest.mark.django_db
def test_warnings_inform_and_never_advise():
    profile = ContributorProfile(
        display_name="T",
        uc_assessment_start_day=1,
        uc_work_allowance="lower",
        esa_permitted_work_limit="lower",
    )
    day = datetime.date(2025, 7, 3)
    text = " ".join(benefits.warnings_for(profile, payment(day, "500.00"), [payment(day, "500.00")])).lower()
    for advice in ("you should", "we recommend", "do not claim", "you must"):
        assert advice not in text


# -- payments expected from the claims and payouts in the database ---------------------------------


@pytest.fixture
def uc_contributor(contributor):
    today = timezone.localdate()
    return ContributorProfileFactory(
        user=contributor, payment_preference="bank_transfer", uc_assessment_start_day=today.day
    )


def test_a_claim_approved_while_another_payment_lands_in_the_same_period_warns_on_both_pages(
    client, make_claim, contributor, coordinator, uc_contributor, home_page
):
    """Paid today (the actual date) and another approved claim expected by the policy's 30 days: the
    policy date is inside the period that started today only when the period is long enough, so the
    test places the payment by the period it computes."""
    today = timezone.localdate()
    first, last = benefits.assessment_period(uc_contributor.uc_assessment_start_day, today)
    make_claim(contributor, "paid", approver=coordinator)
    second = make_claim(contributor, "approved", approver=coordinator, project="Carers' voices")
    expected = benefits.claim_expected_date(second)
    assert expected == today + datetime.timedelta(days=30)
    warnings = benefits.claim_warnings(second)
    assert bool(warnings) == (first <= expected <= last)
    # A payment planned for today (a run) certainly lands in the period of the paid one.
    run, _ = payouts.create_run(actor=coordinator, claim_ids=[second.pk], planned_on=today)
    [warning] = benefits.claim_warnings(second)
    assert (
        "one Universal Credit assessment period" in warning and f"payment {run.payouts.get().pk}" in warning
    )
    client.force_login(contributor)
    page = client.get(reverse("payments:claim_detail", args=[second.pk]))
    assert "one Universal Credit assessment period" in page.content.decode()
    assert "welfare-rights adviser" in page.content.decode()
    client.force_login(coordinator)
    page = client.get(reverse("payments_claims:inspect", args=[second.pk]))
    assert 'id="claim-benefit-warnings"' in page.content.decode()


def test_declined_payments_are_not_earnings_and_do_not_warn(
    make_claim, contributor, coordinator, uc_contributor
):
    make_claim(contributor, "declined", approver=coordinator)
    today = timezone.localdate()
    assert [p for p in benefits.expected_payments(contributor) if p.date == today] == []


def test_the_profile_page_takes_the_benefit_details(client, contributor, home_page):
    client.force_login(contributor)
    page = client.get(reverse("payments:profile"))
    assert page.status_code == 200 and "Universal Credit assessment period start day" in page.content.decode()
    response = client.post(
        reverse("payments:profile"),
        {
            "display_name": "Sam",
            "payment_preference": "bank_transfer",
            "uc_assessment_start_day": "31",
            "uc_work_allowance": "higher",
            "esa_permitted_work_limit": "",
        },
    )
    assert response.status_code == 302
    profile = ContributorProfile.objects.get(user=contributor)
    assert (profile.uc_assessment_start_day, profile.uc_work_allowance) == (31, "higher")
    bad = client.post(
        reverse("payments:profile"),
        {"display_name": "Sam", "payment_preference": "bank_transfer", "uc_assessment_start_day": "32"},
    )
    assert bad.status_code == 200 and "less than or equal to 31" in bad.content.decode()


def test_figures_screens_are_for_coordinators(client, coordinator, contributor, home_page):
    url = reverse("payments_benefit_figures:index")
    assert client.get(url).status_code == 302
    client.force_login(contributor)
    denied = client.get(url)
    assert denied.status_code in (302, 403)
    client.force_login(coordinator)
    page = client.get(url)
    assert page.status_code == 200 and "Figures for 2025–26" in page.content.decode()
    figures = BenefitFigures.objects.get(tax_year=2025)
    assert client.get(reverse("payments_benefit_figures:edit", args=[figures.pk])).status_code == 200
    response = client.post(
        reverse("payments_benefit_figures:add"),
        {
            "tax_year": "2026",
            "esa_permitted_work_lower_weekly": "20.00",
            "esa_permitted_work_higher_weekly": "200.00",
            "uc_work_allowance_lower_monthly": "420.00",
            "uc_work_allowance_higher_monthly": "700.00",
            "trading_allowance": "1000.00",
            "source": "Test source",
        },
    )
    assert response.status_code == 302
    assert BenefitFigures.for_tax_year(2026).esa_permitted_work_higher_weekly == D("200.00")
    assert not any(p.name == "delete" for p in figures_viewset.get_urlpatterns())


def test_a_person_who_declines_or_donates_has_no_expected_earnings(
    make_claim, contributor, coordinator, uc_contributor
):
    make_claim(contributor, "paid", approver=coordinator, project="Paid today")
    waiting = make_claim(contributor, "approved", approver=coordinator)
    chosen = InvolvementClaim.objects.filter(pk=waiting.pk)

    def run_warnings():
        plans, _ = payouts.preview_run(chosen, actor=coordinator)
        return [p["benefit_warnings"] for p in payouts.run_warnings(plans, planned_on=timezone.localdate())]

    assert any(p.claim_ids == (waiting.pk,) for p in benefits.expected_payments(contributor))
    assert run_warnings()[0]  # paid today and planned today: one period
    uc_contributor.payment_preference = "charity"
    uc_contributor.charity_name = "Mind"
    uc_contributor.save()
    assert not any(p.claim_ids == (waiting.pk,) for p in benefits.expected_payments(contributor))
    assert run_warnings() == [[]]
