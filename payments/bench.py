"""Bench data and timings for payments: 100,000 claims, and how long the reports take over them.

The contributor pages need a signed-in contributor, so there is no anonymous HTTP scenario here; the
report is timed directly (measurements), the way a coordinator's reports page computes it.
"""

import datetime
from decimal import Decimal

BENCH_PROJECT = "Bench: bulk claims"
TARGET = 100_000
CONTRIBUTORS = 250
BATCH = 5_000


def _bench_users():
    from django.contrib.auth.models import Group

    from accounts.models import CONTRIBUTORS as GROUP
    from accounts.models import User

    emails = [f"bench-contributor-{i}@example.org" for i in range(CONTRIBUTORS)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        [
            User(email=e, first_name="Bench", last_name=e.split("@")[0], password="!")
            for e in emails
            if e not in existing
        ]
    )
    users = list(User.objects.filter(email__in=emails).order_by("pk"))
    Group.objects.get_or_create(name=GROUP)[0].user_set.add(*users)
    return users


def setup(stdout):
    from django.utils import timezone

    from . import demo, tax_year
    from .models import ActivityType, InvolvementClaim

    _policy, versions = demo.build_policy()
    have = InvolvementClaim.objects.filter(project=BENCH_PROJECT).count()
    if have >= TARGET:
        stdout.write(f"  payments: {have} bench claims already present\n")
        return
    users = _bench_users()
    activities = [value for value, _label in ActivityType.choices if value != "social"]
    statuses = [
        InvolvementClaim.Status.PAID,
        InvolvementClaim.Status.APPROVED,
        InvolvementClaim.Status.PAID,
        InvolvementClaim.Status.SUBMITTED,
        InvolvementClaim.Status.DECLINED,
        InvolvementClaim.Status.REJECTED,
    ]
    now = timezone.now()
    start = datetime.date(2024, 4, 6)
    batch = []
    for i in range(have, TARGET):
        work_date = start + datetime.timedelta(days=i % 900)
        version = versions[1] if work_date >= versions[1].effective_from else versions[0]
        minutes = 60 + (i * 7) % 300
        fee = (Decimal(minutes) / 60 * Decimal("25.00")).quantize(Decimal("0.01"))
        expenses = Decimal((i % 4) * 3)
        status = statuses[i % len(statuses)]
        submitted = timezone.make_aware(datetime.datetime.combine(work_date, datetime.time(12)))
        decided = min(submitted + datetime.timedelta(days=1 + i % 20), now)
        paid = (
            min(decided + datetime.timedelta(days=3 + i % 40), now)
            if status == InvolvementClaim.Status.PAID
            else None
        )
        decided = None if status == InvolvementClaim.Status.SUBMITTED else decided
        batch.append(
            InvolvementClaim(
                contributor=users[i % len(users)],
                work_date=work_date,
                activity_type=activities[i % len(activities)],
                duration_minutes=minutes,
                project=BENCH_PROJECT,
                status=status,
                policy_version=version,
                fee_amount=fee,
                expenses_amount=expenses,
                total_amount=fee + expenses,
                explanation="Bench claim",
                submitted_at=submitted,
                decided_at=decided,
                paid_at=paid,
                # bulk_create skips save() and the services, so the stored columns are set here.
                tax_year=tax_year.of(work_date),
                decision_wait=decided - submitted if decided else None,
                payment_wait=paid - decided if paid else None,
            )
        )
        if len(batch) >= BATCH:
            InvolvementClaim.objects.bulk_create(batch)
            batch = []
    if batch:
        InvolvementClaim.objects.bulk_create(batch)
    stdout.write(
        f"  payments: {InvolvementClaim.objects.filter(project=BENCH_PROJECT).count()} bench claims\n"
    )


def scenarios():
    return []


def measurements():
    from . import reports

    return [("tax-year report, 100,000 claims", reports.full_report)]
