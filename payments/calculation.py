"""The fee and expenses calculation: a pure function from a claim and policy terms to amounts and a
line-by-line explanation.

Rules (each has a test in tests/payments/test_calculation.py):
- Session time is rounded UP to the policy's increment, then raised to the minimum paid duration.
- Hourly total = paid hours x hourly rate. A half-day or day rate applies from its hour threshold, but
  the fee is never less than the hourly total for the same time (whichever is more is paid).
- Preparation is paid at the session's hourly rate: the time claimed, rounded up to the increment,
  but no more than the policy's share of the session and no more than its cap.
- Activities the policy does not pay are paid £0.00, and the explanation says so.
- Expenses are separate from fees: mileage is miles x rate; other categories are repaid at cost, up to
  the category's cap per claim; an expense above the receipt threshold without a receipt is not repaid
  until the receipt is added.
- Decimal throughout, each money line rounded ROUND_HALF_UP to the penny.

Nothing here touches the database: `claim_rules.terms_from_version` and `claim_rules.input_from_claim`
adapt the models to it.
"""

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
SIXTY = Decimal(60)


@dataclass(frozen=True)
class Rate:
    label: str
    is_paid: bool
    hourly_rate: Decimal
    half_day_rate: Decimal | None = None
    half_day_min_hours: Decimal | None = None
    day_rate: Decimal | None = None
    day_min_hours: Decimal | None = None


@dataclass(frozen=True)
class Terms:
    rates: dict  # activity type -> Rate
    rounding_increment_minutes: int = 15
    minimum_paid_minutes: int = 0
    preparation_ratio: Decimal = ZERO
    preparation_cap_minutes: int = 0
    mileage_rate: Decimal = Decimal("0.45")
    expense_caps: dict = field(default_factory=dict)  # category -> Decimal
    receipt_required_above: Decimal | None = None
    category_labels: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ExpenseInput:
    category: str
    amount: Decimal = ZERO
    miles: Decimal | None = None
    has_receipt: bool = False
    description: str = ""


@dataclass(frozen=True)
class ClaimInput:
    activity_type: str
    duration_minutes: int
    preparation_minutes: int = 0
    expenses: tuple = ()


@dataclass
class Result:
    fee: Decimal
    expenses: Decimal
    paid_minutes: int
    paid_preparation_minutes: int
    hourly_total: Decimal
    lines: list
    missing_receipts: list

    @property
    def total(self):
        return self.fee + self.expenses

    @property
    def explanation(self):
        return "\n".join(self.lines)


def money(value):
    return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


def pounds(value):
    return f"£{money(value):,.2f}"


def format_minutes(minutes):
    hours, mins = divmod(int(minutes), 60)
    if hours and mins:
        return f"{hours} h {mins} min"
    if hours:
        return f"{hours} h"
    return f"{mins} min"


def round_up(minutes, increment):
    """The smallest multiple of `increment` that is at least `minutes`."""
    if increment <= 1:
        return int(minutes)
    return -(-int(minutes) // increment) * increment


def hourly_amount(minutes, rate):
    return money(Decimal(minutes) / SIXTY * rate)


def calculate(claim: ClaimInput, terms: Terms) -> Result:
    if claim.duration_minutes <= 0:
        raise ValueError("The time given must be more than zero minutes.")
    if claim.preparation_minutes < 0:
        raise ValueError("Preparation time cannot be negative.")
    rate = terms.rates.get(claim.activity_type)
    lines = []
    fee = ZERO
    paid_minutes = 0
    paid_prep = 0
    hourly_total = ZERO
    label = rate.label if rate else claim.activity_type

    if rate is None or not rate.is_paid:
        lines.append(
            f"{format_minutes(claim.duration_minutes)} {label.lower()}: not a paid activity under this policy = £0.00"
        )
    else:
        increment = terms.rounding_increment_minutes
        rounded = round_up(claim.duration_minutes, increment)
        paid_minutes = max(rounded, terms.minimum_paid_minutes)
        description = f"{format_minutes(claim.duration_minutes)} {label.lower()}"
        if rounded != claim.duration_minutes:
            description += f", rounded to {format_minutes(rounded)}"
        if paid_minutes != rounded:
            description += f", raised to the minimum paid time of {format_minutes(paid_minutes)}"
        hourly_total = hourly_amount(paid_minutes, rate.hourly_rate)
        session_fee = hourly_total
        hours = Decimal(paid_minutes) / SIXTY
        flat_name, flat_rate = None, None
        if rate.day_rate is not None and rate.day_min_hours is not None and hours >= rate.day_min_hours:
            flat_name, flat_rate = "day", money(rate.day_rate)
        elif (
            rate.half_day_rate is not None
            and rate.half_day_min_hours is not None
            and hours >= rate.half_day_min_hours
        ):
            flat_name, flat_rate = "half-day", money(rate.half_day_rate)
        if flat_rate is not None and flat_rate > hourly_total:
            session_fee = flat_rate
            lines.append(
                f"{description}: the {flat_name} rate of {pounds(flat_rate)} applies "
                f"(more than {pounds(rate.hourly_rate)}/h x {format_minutes(paid_minutes)} = "
                f"{pounds(hourly_total)}) = {pounds(session_fee)}"
            )
        else:
            lines.append(f"{description}, at {pounds(rate.hourly_rate)}/h = {pounds(hourly_total)}")
            if flat_rate is not None:
                lines.append(
                    f"(The {flat_name} rate of {pounds(flat_rate)} would pay less than the hourly total, "
                    "so the hourly total is paid.)"
                )
        fee += session_fee

        if claim.preparation_minutes:
            prep_rounded = round_up(claim.preparation_minutes, increment)
            allowance = int((terms.preparation_ratio * paid_minutes).to_integral_value(rounding=ROUND_DOWN))
            limits = [prep_rounded, allowance]
            if terms.preparation_cap_minutes:
                limits.append(terms.preparation_cap_minutes)
            paid_prep = max(0, min(limits))
            prep_amount = hourly_amount(paid_prep, rate.hourly_rate)
            text = f"{format_minutes(claim.preparation_minutes)} preparation"
            if prep_rounded != claim.preparation_minutes:
                text += f", rounded to {format_minutes(prep_rounded)}"
            if paid_prep < prep_rounded:
                text += (
                    f", paid up to {format_minutes(paid_prep)} (the policy pays preparation up to "
                    f"{terms.preparation_ratio * 100:.0f}% of the session"
                    + (
                        f", at most {format_minutes(terms.preparation_cap_minutes)}"
                        if terms.preparation_cap_minutes
                        else ""
                    )
                    + ")"
                )
            text += f", at {pounds(rate.hourly_rate)}/h = {pounds(prep_amount)}"
            lines.append(text)
            fee += prep_amount
        lines.append(f"Fee: {pounds(fee)}")

    expenses_total, expense_lines, missing = calculate_expenses(claim.expenses, terms)
    lines.extend(expense_lines)
    if expense_lines:
        lines.append(f"Expenses (repaid at cost, not earnings): {pounds(expenses_total)}")
    lines.append(f"Total: {pounds(fee + expenses_total)}")
    return Result(
        fee=money(fee),
        expenses=expenses_total,
        paid_minutes=paid_minutes,
        paid_preparation_minutes=paid_prep,
        hourly_total=hourly_total,
        lines=lines,
        missing_receipts=missing,
    )


def calculate_expenses(expenses, terms: Terms):
    lines = []
    missing = []
    by_category = {}
    order = []
    for expense in expenses:
        label = terms.category_labels.get(expense.category, expense.category)
        if expense.category == "mileage":
            miles = Decimal(expense.miles or 0)
            amount = money(miles * terms.mileage_rate)
            text = f"{label}: {miles.normalize():f} miles at {pounds(terms.mileage_rate)}/mile = {pounds(amount)}"
        else:
            amount = money(expense.amount)
            text = (
                f"{label}{' (' + expense.description + ')' if expense.description else ''}: {pounds(amount)}"
            )
            threshold = terms.receipt_required_above
            if threshold is not None and amount > threshold and not expense.has_receipt:
                missing.append(expense)
                lines.append(
                    f"{text}: a receipt is needed for expenses over {pounds(threshold)}, so this is not repaid yet"
                )
                continue
        if amount < 0:
            raise ValueError("An expense cannot be negative.")
        lines.append(text)
        if expense.category not in by_category:
            order.append(expense.category)
        by_category[expense.category] = by_category.get(expense.category, ZERO) + amount
    total = ZERO
    for category in order:
        claimed = by_category[category]
        cap = terms.expense_caps.get(category)
        if cap is not None and claimed > cap:
            label = terms.category_labels.get(category, category)
            lines.append(f"{label}: {pounds(claimed)} claimed, repaid up to the cap of {pounds(cap)}")
            claimed = money(cap)
        total += claimed
    return money(total), lines, missing
