"""Payment runs: approved claims that no payout holds, grouped into one payout per contributor by how
they want to be paid; and paying one claim by hand, which is a run of one recorded at once."""

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from payments import benefits
from payments import services as claim_services
from payments.models import ContributorProfile, InvolvementClaim
from portal.locking import lock_rows, race_point

from .. import stripe_gateway
from ..models import PaymentHold, PaymentRun, Payout, PayoutItem, StripeAccount
from .common import ZERO, ClaimStatus, Method, PayoutBusy, PayoutError, record, require_coordinator
from .settling import record_manual_payment


def payable_claims():
    """Approved claims that no payout holds."""
    held = PayoutItem.objects.held().filter(claim=OuterRef("pk"))
    return InvolvementClaim.objects.filter(status=ClaimStatus.APPROVED).exclude(Exists(held))


def method_for(user, profile=None, stripe_account=None):
    """How a contributor will be paid, from their stated preference.

    Stripe only when Stripe is configured and their connected account can receive payouts; otherwise a
    recorded bank transfer, which the coordinator arranges outside the portal.
    """
    preference = profile.payment_preference if profile else ContributorProfile.PaymentPreference.BANK_TRANSFER
    Pref = ContributorProfile.PaymentPreference
    if preference == Pref.DECLINE:
        return Method.DECLINED
    if preference == Pref.CHARITY:
        return Method.DONATED
    if preference == Pref.VOUCHER:
        return Method.VOUCHER
    if (
        preference == Pref.STRIPE
        and stripe_gateway.is_configured()
        and stripe_account
        and stripe_account.payouts_enabled
    ):
        return Method.STRIPE
    return Method.BANK_TRANSFER


def plan_payouts(claims, actor):
    """Groups claims by contributor, with the method and amounts each payout would have."""
    claims = list(claims)
    users = {c.contributor_id for c in claims}
    profiles = {p.user_id: p for p in ContributorProfile.objects.filter(user_id__in=users)}
    accounts = {a.user_id: a for a in StripeAccount.objects.filter(user_id__in=users)}
    grouped = defaultdict(list)
    skipped = []
    for claim in claims:
        if actor is not None and claim.contributor_id == actor.pk:
            skipped.append((claim, "Your own claims are paid by another coordinator."))
            continue
        grouped[claim.contributor_id].append(claim)
    plans = []
    for user_id, user_claims in grouped.items():
        profile = profiles.get(user_id)
        method = method_for(user_claims[0].contributor, profile, accounts.get(user_id))
        items = []
        for claim in user_claims:
            fee, note = claim.fee_amount, ""
            lower = profile.lower_amount if profile and profile.payment_preference == "lower_amount" else None
            if lower is not None and lower < fee:
                fee, note = (
                    lower,
                    f"Fee lowered from £{claim.fee_amount} to £{lower} at the contributor's request",
                )
            items.append({"claim": claim, "fee": fee, "expenses": claim.expenses_amount, "note": note})
        fee_total = sum((i["fee"] for i in items), ZERO)
        expenses_total = sum((i["expenses"] for i in items), ZERO)
        plans.append(
            {
                "contributor": user_claims[0].contributor,
                "method": method,
                "method_label": Method(method).label,
                "charity_name": profile.charity_name if profile and method == Method.DONATED else "",
                "items": items,
                "claim_count": len(items),
                "fee": fee_total,
                "expenses": expenses_total,
                "total": fee_total + expenses_total,
                "stripe_destination": accounts[user_id].account_id if method == Method.STRIPE else "",
            }
        )
    plans.sort(key=lambda p: (str(p["contributor"]).lower(), p["contributor"].pk))
    return plans, skipped


def preview_run(claims, *, actor):
    """What a run over `claims` would create, without writing anything."""
    claims = claims.filter(pk__in=payable_claims().values("pk")).select_related("contributor")
    return plan_payouts(claims, actor)


def lock_payable(ids):
    """Locks the chosen approved claims, then returns (free claims, skipped) as read under the locks."""
    locked_ids = [
        c.pk
        for c in lock_rows(
            InvolvementClaim.objects.filter(pk__in=ids, status=ClaimStatus.APPROVED)
            .order_by("pk")
            .only("pk"),
            timeout_error=PayoutBusy,
        )
    ]
    # Read after the locks are held: a run that committed while we waited is visible now.
    taken = set(PayoutItem.objects.held().filter(claim_id__in=locked_ids).values_list("claim_id", flat=True))
    race_point("payouts.claims_free")
    claims = InvolvementClaim.objects.filter(pk__in=[pk for pk in locked_ids if pk not in taken])
    skipped = [(pk, "Already in a payout.") for pk in sorted(taken)]
    skipped += [(pk, "Not approved, or no longer approved.") for pk in sorted(set(ids) - set(locked_ids))]
    return claims.select_related("contributor").order_by("pk"), skipped


def run_warnings(plans, *, planned_on=None, today=None):
    """Adds `benefit_warnings` to each plan: what payments.benefits says about this run's payment to the
    person (expected on the run's planned date, or today when none is given) beside their other payments
    (paid, planned, or expected by the policy). Read-only."""
    today = today or timezone.localdate()
    day = planned_on or today
    users = [plan["contributor"].pk for plan in plans]
    profiles = {p.user_id: p for p in ContributorProfile.objects.filter(user_id__in=users)}
    for plan in plans:
        profile = profiles.get(plan["contributor"].pk)
        plan["benefit_warnings"] = []
        if profile is None or not (profile.uc_assessment_start_day or profile.esa_permitted_work_limit):
            continue
        if plan["method"] in Method.without_money():
            continue  # declined or donated: no money reaches them
        ids = tuple(item["claim"].pk for item in plan["items"])
        new = benefits.ExpectedPayment(day, plan["fee"], "this run's payment", "new", ids)
        others = benefits.expected_payments(plan["contributor"], exclude_claim_ids=ids, today=today)
        plan["benefit_warnings"] = benefits.warnings_for(profile, new, others, for_coordinator=True)
    return plans


def hold_claims(claims, *, run, actor, reason):
    """Records each claim as held out of `run` (which may be None), with an entry in the claim's trail.
    The claims stay approved and payable; the next run that pays one ends its hold."""
    holds = []
    end_holds([claim.pk for claim in claims], "Held again")
    for claim in claims:
        holds.append(PaymentHold.objects.create(claim=claim, run=run, held_by=actor, reason=reason[:300]))
        claim_services.record(
            claim,
            actor,
            claim.status,
            f"Held out of payment run {run.pk if run else '(none made)'}: {reason}",
        )
    return holds


def end_holds(claim_ids, note):
    PaymentHold.objects.filter(claim_id__in=claim_ids, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_note=note[:200]
    )


def create_payout(run, plan, actor, method=None):
    payout = Payout.objects.create(
        run=run,
        contributor=plan["contributor"],
        method=method or plan["method"],
        fee_amount=plan["fee"],
        expenses_amount=plan["expenses"],
        amount=plan["total"],
        charity_name=plan["charity_name"],
        stripe_destination=plan["stripe_destination"] if (method or plan["method"]) == Method.STRIPE else "",
    )
    PayoutItem.objects.bulk_create(
        [
            PayoutItem(
                payout=payout,
                claim=i["claim"],
                fee_amount=i["fee"],
                expenses_amount=i["expenses"],
                note=i["note"],
            )
            for i in plan["items"]
        ]
    )
    end_holds([i["claim"].pk for i in plan["items"]], f"Paid in run {run.pk} (payout {payout.pk})")
    record(
        payout,
        actor,
        "",
        f"Created in run {run.pk}: {plan['claim_count']} claim(s), {Method(payout.method).label}",
    )
    return payout


def create_run(*, actor, claim_ids, note="", planned_on=None, hold_ids=(), hold_reason=""):
    """Creates a payment run with one payout per contributor over the chosen approved claims.

    Idempotent under concurrency: the chosen claims are locked, then the ones already held by a payout are
    re-read and left out, so two coordinators pressing the button at once never include a claim twice;
    the second run simply finds nothing left (and is not created). Returns (run or None, skipped).

    `hold_ids`: chosen claims the coordinator holds out of this run (for example so two payments do not
    reach someone in one Universal Credit assessment period). Each is recorded (PaymentHold and the
    claim's trail), stays approved and payable, and is listed as held on the next run's screen.
    """
    require_coordinator(actor, "create payment runs", "payouts.add_paymentrun")
    ids = sorted({int(pk) for pk in claim_ids})
    if not ids:
        raise PayoutError("Choose at least one approved claim to pay.")
    hold = {int(pk) for pk in hold_ids} & set(ids)
    hold_reason = (hold_reason or "").strip() or "Held by the coordinator"
    try:
        with transaction.atomic():
            claims, skipped = lock_payable(ids)
            held = [claim for claim in claims if claim.pk in hold and claim.contributor_id != actor.pk]
            plans, own = plan_payouts([claim for claim in claims if claim not in held], actor)
            skipped += own
            run = None
            if plans:
                run = PaymentRun.objects.create(created_by=actor, note=note[:200], planned_on=planned_on)
                for plan in plans:
                    create_payout(run, plan, actor)
            skipped += [(claim.pk, f"Held: {hold_reason}") for claim in held]
            hold_claims(held, run=run, actor=actor, reason=hold_reason)
            if run is None:
                return None, skipped
    except IntegrityError as exc:
        # Only reachable if claims were not locked (the database's unique constraint caught a race).
        raise PayoutError(
            "Another payment run took some of these claims at the same moment. Try again."
        ) from exc
    return run, skipped


def pay_claim_by_hand(claim, *, actor, method, paid_on, reference, voucher_provider=""):
    """Pays one approved claim by a bank transfer or voucher made outside the portal: a payment run of
    one, recorded at once, so a claim is paid the same way whichever button pays it.

    Refused while a payout holds the claim (record the payment on that payout instead), for the
    coordinator's own claim, and when the contributor asked not to be paid."""
    require_coordinator(actor, "record payments")
    if method not in (Method.BANK_TRANSFER, Method.VOUCHER):
        raise PayoutError("Only a bank transfer or a voucher can be recorded by hand.")
    try:
        with transaction.atomic():
            claims, skipped = lock_payable([claim.pk])
            if skipped:
                item = PayoutItem.objects.held().filter(claim_id=claim.pk).first()
                if item is not None:
                    raise PayoutError(
                        f"This claim is in payout {item.payout_id}: record the payment on that payout, or "
                        "cancel the payout first."
                    )
                raise PayoutError("Only an approved claim can be paid.")
            plans, own = plan_payouts(claims, actor)
            if own:
                raise PayoutError("You cannot pay a claim of your own. Please ask another coordinator.")
            [plan] = plans
            if plan["method"] in Method.without_money():
                raise PayoutError(
                    f"The contributor chose: {plan['method_label'].lower()}. Mark the claim as declined instead."
                )
            run = PaymentRun.objects.create(
                created_by=actor, note=f"Claim {claim.pk} paid by hand", planned_on=paid_on
            )
            payout = create_payout(run, plan, actor, method=method)
            return record_manual_payment(
                payout,
                actor=actor,
                paid_on=paid_on,
                reference=reference,
                method=method,
                voucher_provider=voucher_provider,
            )
    except IntegrityError as exc:
        raise PayoutError("A payment run took this claim at the same moment. Look at its payout.") from exc
