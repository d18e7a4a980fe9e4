"""What a role pays, worked out from the payment policy in force, never typed in.

An example session of the role (its usual activity, length and preparation) goes through the same
calculation and explanation contributors see on their claims (`payments.claim_rules.preview`), with the
policy version in force today. Read-only: nothing is saved.
"""

from dataclasses import dataclass

from django.utils import timezone

from payments import claim_rules
from payments.calculation import format_minutes, money, pounds
from payments.errors import ClaimError
from payments.models import InvolvementClaim


@dataclass
class PayExample:
    version: object = None
    lines: tuple = ()
    session_total: object = None
    session_description: str = ""
    monthly_estimate: str = ""
    problem: str = ""


def what_it_pays(opportunity, day=None):
    """The pay for one session of `opportunity` under the policy in force on `day` (today)."""
    if not opportunity.is_paid:
        return None
    if not opportunity.session_minutes:
        return PayExample(problem="The length of a session is not set yet, so the pay cannot be worked out.")
    day = day or timezone.localdate()
    example = InvolvementClaim(
        work_date=day,
        activity_type=opportunity.activity_type,
        duration_minutes=opportunity.session_minutes,
        preparation_minutes=opportunity.preparation_minutes or 0,
    )
    try:
        version, result = claim_rules.preview(example, expenses=[])
    except (ClaimError, ValueError) as exc:
        return PayExample(problem=str(exc))
    description = f"A {format_minutes(opportunity.session_minutes)} session"
    if opportunity.preparation_minutes:
        description += f" with {format_minutes(opportunity.preparation_minutes)} of preparation"
    monthly = ""
    if opportunity.sessions_per_month:
        monthly = (
            f"About {opportunity.sessions_per_month} session"
            f"{'s' if opportunity.sessions_per_month != 1 else ''} a month: about "
            f"{pounds(money(result.total * opportunity.sessions_per_month))} a month, plus expenses."
        )
    return PayExample(
        version=version,
        lines=tuple(result.lines),
        session_total=result.total,
        session_description=description,
        monthly_estimate=monthly,
    )
