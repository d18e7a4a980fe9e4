"""The calculation: worked examples, then properties that must hold for any input."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.calculation import (
    ClaimInput,
    ExpenseInput,
    Rate,
    Terms,
    calculate,
    format_minutes,
    money,
    round_up,
)

D = Decimal
WORKSHOP = Rate(label="Workshop", is_paid=True, hourly_rate=D("27.50"))


def terms(rate=WORKSHOP, **kwargs):
    base = {
        "rates": {"meeting": rate, "social": Rate(label="Social event", is_paid=False, hourly_rate=D("0"))},
        "rounding_increment_minutes": 15,
        "minimum_paid_minutes": 0,
        "preparation_ratio": D("0.50"),
        "preparation_cap_minutes": 120,
        "mileage_rate": D("0.45"),
        "expense_caps": {"subsistence": D("15.00")},
        "receipt_required_above": D("10.00"),
        "category_labels": {"mileage": "Mileage", "subsistence": "Subsistence", "travel": "Travel"},
    }
    base.update(kwargs)
    return Terms(**base)


def test_the_worked_example_from_the_issue():
    result = calculate(ClaimInput("meeting", 130), terms())
    assert result.fee == D("61.88")
    assert result.lines[0] == "2 h 10 min workshop, rounded to 2 h 15 min, at £27.50/h = £61.88"
    assert result.lines[-1] == "Total: £61.88"


def test_exact_time_is_not_rounded():
    result = calculate(ClaimInput("meeting", 120), terms())
    assert result.fee == D("55.00")
    assert result.lines[0] == "2 h workshop, at £27.50/h = £55.00"


def test_minimum_paid_duration_raises_a_short_session():
    result = calculate(ClaimInput("meeting", 20), terms(minimum_paid_minutes=60))
    assert result.paid_minutes == 60
    assert result.fee == D("27.50")
    assert "rounded to 30 min, raised to the minimum paid time of 1 h" in result.lines[0]


def test_half_day_rate_applies_when_it_pays_more():
    rate = Rate("Workshop", True, D("20.00"), half_day_rate=D("90.00"), half_day_min_hours=D("3"))
    result = calculate(ClaimInput("meeting", 180), terms(rate))
    assert result.hourly_total == D("60.00")
    assert result.fee == D("90.00")
    assert "the half-day rate of £90.00 applies" in result.lines[0]


def test_day_rate_never_pays_less_than_the_hourly_total():
    rate = Rate(
        "Workshop",
        True,
        D("30.00"),
        half_day_rate=D("80.00"),
        half_day_min_hours=D("3"),
        day_rate=D("150.00"),
        day_min_hours=D("6"),
    )
    result = calculate(ClaimInput("meeting", 8 * 60), terms(rate))
    assert result.fee == D("240.00")  # 8 h x £30, more than the £150 day rate
    assert "would pay less than the hourly total" in result.lines[1]


def test_preparation_is_paid_up_to_the_ratio_and_cap():
    result = calculate(ClaimInput("meeting", 60, preparation_minutes=50), terms())
    # Half of a 1 h session: 30 min of preparation paid at £27.50/h = £13.75.
    assert result.paid_preparation_minutes == 30
    assert result.fee == D("41.25")
    assert "paid up to 30 min" in result.lines[1]
    long = calculate(ClaimInput("meeting", 8 * 60, preparation_minutes=300), terms())
    assert long.paid_preparation_minutes == 120  # the cap


def test_preparation_within_the_allowance_is_paid_in_full():
    result = calculate(ClaimInput("meeting", 120, preparation_minutes=25), terms())
    assert result.paid_preparation_minutes == 30  # rounded up to the increment
    assert result.fee == D("55.00") + D("13.75")


def test_unpaid_activity_pays_nothing_and_says_why():
    result = calculate(ClaimInput("social", 90), terms())
    assert result.fee == D("0.00")
    assert result.lines[0] == "1 h 30 min social event: not a paid activity under this policy = £0.00"


def test_unknown_activity_is_treated_as_unpaid():
    assert calculate(ClaimInput("unheard-of", 90), terms()).fee == D("0.00")


def test_expenses_are_separate_from_the_fee():
    claim = ClaimInput(
        "meeting",
        60,
        expenses=(
            ExpenseInput("mileage", miles=D("12.5")),
            ExpenseInput("subsistence", amount=D("9.00"), description="lunch"),
            ExpenseInput("subsistence", amount=D("8.00"), has_receipt=False),
            ExpenseInput("travel", amount=D("24.60"), has_receipt=True),
        ),
    )
    result = calculate(claim, terms())
    assert result.fee == D("27.50")
    # 12.5 miles x £0.45 = £5.63 (5.625 rounded half up); subsistence 17.00 capped at 15.00; travel 24.60.
    assert result.expenses == D("5.63") + D("15.00") + D("24.60")
    assert result.total == result.fee + result.expenses
    assert "Mileage: 12.5 miles at £0.45/mile = £5.63" in result.lines
    assert "Subsistence: £17.00 claimed, repaid up to the cap of £15.00" in result.lines


def test_expense_above_threshold_without_receipt_is_not_repaid_yet():
    claim = ClaimInput("meeting", 60, expenses=(ExpenseInput("travel", amount=D("24.60")),))
    result = calculate(claim, terms())
    assert result.expenses == D("0.00")
    assert len(result.missing_receipts) == 1
    assert "a receipt is needed for expenses over £10.00" in result.explanation


@pytest.mark.parametrize("minutes", [0, -15])
def test_zero_or_negative_time_is_refused(minutes):
    with pytest.raises(ValueError):
        calculate(ClaimInput("meeting", minutes), terms())


def test_format_minutes():
    assert [format_minutes(m) for m in (5, 60, 135)] == ["5 min", "1 h", "2 h 15 min"]


# --- Properties --------------------------------------------------------------------------------

rates = st.builds(
    lambda hourly, half, half_hours, day_extra, day_hours_extra, use_half, use_day: Rate(
        "Workshop",
        True,
        hourly,
        half_day_rate=half if use_half else None,
        half_day_min_hours=half_hours if use_half else None,
        day_rate=(half + day_extra) if use_day else None,
        day_min_hours=(half_hours + day_hours_extra) if use_day else None,
    ),
    st.decimals(min_value=0, max_value=500, places=2),
    st.decimals(min_value=0, max_value=1000, places=2),
    st.decimals(min_value=1, max_value=5, places=2),
    st.decimals(min_value=0, max_value=1000, places=2),
    st.decimals(min_value=D("0.5"), max_value=5, places=2),
    st.booleans(),
    st.booleans(),
)
policy_terms = st.builds(
    lambda rate, increment, minimum, ratio, cap: terms(
        rate,
        rounding_increment_minutes=increment,
        minimum_paid_minutes=minimum,
        preparation_ratio=ratio,
        preparation_cap_minutes=cap,
    ),
    rates,
    st.sampled_from([1, 5, 10, 15, 30, 60]),
    st.integers(min_value=0, max_value=240),
    st.decimals(min_value=0, max_value=2, places=2),
    st.integers(min_value=0, max_value=480),
)
minutes = st.integers(min_value=1, max_value=24 * 60)
prep = st.integers(min_value=0, max_value=600)


@given(policy_terms, minutes, prep)
def test_never_negative(t, duration, preparation):
    result = calculate(ClaimInput("meeting", duration, preparation), t)
    assert result.fee >= 0 and result.expenses >= 0 and result.total >= 0


@given(policy_terms, minutes, prep)
def test_never_below_the_hourly_total(t, duration, preparation):
    rate = t.rates["meeting"]
    rounded = round_up(duration, t.rounding_increment_minutes)
    result = calculate(ClaimInput("meeting", duration, preparation), t)
    assert result.fee >= money(D(rounded) / 60 * rate.hourly_rate)
    assert result.fee >= result.hourly_total


@given(policy_terms, minutes, minutes, prep)
def test_monotonic_in_time(t, a, b, preparation):
    shorter, longer = sorted([a, b])
    assert (
        calculate(ClaimInput("meeting", shorter, preparation), t).fee
        <= calculate(ClaimInput("meeting", longer, preparation), t).fee
    )


@given(policy_terms, minutes, prep, prep)
def test_monotonic_in_preparation(t, duration, a, b):
    less, more = sorted([a, b])
    assert (
        calculate(ClaimInput("meeting", duration, less), t).fee
        <= calculate(ClaimInput("meeting", duration, more), t).fee
    )


@given(policy_terms, minutes)
def test_rounding_as_stated(t, duration):
    increment = t.rounding_increment_minutes
    result = calculate(ClaimInput("meeting", duration), t)
    rounded = round_up(duration, increment)
    assert rounded % increment == 0 and duration <= rounded < duration + increment
    assert result.paid_minutes == max(rounded, t.minimum_paid_minutes)
    assert result.fee == result.fee.quantize(D("0.01"))


@given(st.decimals(min_value=0, max_value=1000, places=1), st.decimals(min_value=0, max_value=2, places=2))
def test_mileage_is_miles_times_rate_to_the_penny(miles, rate):
    claim = ClaimInput("social", 60, expenses=(ExpenseInput("mileage", miles=miles),))
    result = calculate(claim, terms(mileage_rate=rate))
    assert result.expenses == money(miles * rate)
