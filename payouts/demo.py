"""Demo payouts: a second contributor paid by a recorded bank transfer and one choosing vouchers, so the admin's
Payouts list has history; contributor@example.org's approved claim is left for a coordinator to pay."""

import datetime

from django.utils import timezone

DEMO_PAYEES = [
    # email, first, last, preference, claims (project, date, activity, minutes), settle
    (
        "sam@example.org",
        "Sam",
        "Okafor",
        "bank_transfer",
        [
            ("Demo: interview training", datetime.date(2026, 2, 10), "training", 180),
            ("Demo: reviewing the leaflet", datetime.date(2026, 2, 24), "reviewing", 90),
        ],
        True,
    ),
    (
        "jo@example.org",
        "Jo",
        "Rahman",
        "voucher",
        [("Demo: steering group", datetime.date(2026, 3, 5), "meeting", 120)],
        False,
    ),
]


def load(command, options):
    from accounts.factories import UserFactory
    from accounts.models import User
    from home.demo import DEMO_PASSWORD
    from payments import services as claims
    from payments.models import ContributorProfile

    from . import services

    coordinator = User.objects.get(email="coordinator@example.org")
    # The payments demo leaves contributor@example.org's March claim approved for this demo to pay.
    march = (
        services.payable_claims()
        .filter(contributor__email="contributor@example.org", project="Demo: advisory group, March")
        .first()
    )
    if march is not None:
        services.pay_claim_by_hand(
            march,
            actor=coordinator,
            method="bank_transfer",
            paid_on=timezone.localdate(),
            reference="Demo bank transfer",
        )
    made = 0
    for email, first, last, preference, work, settle in DEMO_PAYEES:
        if User.objects.filter(email=email).exists():
            continue
        user = UserFactory(email=email, first_name=first, last_name=last, groups=["Contributors"])
        user.set_password(DEMO_PASSWORD)
        user.save()
        ContributorProfile.objects.create(user=user, display_name=first, payment_preference=preference)
        ids = []
        for project, day, activity, minutes in work:
            claim = claims.create_draft(
                contributor=user,
                data={
                    "work_date": day,
                    "activity_type": activity,
                    "duration_minutes": minutes,
                    "preparation_minutes": 0,
                    "project": project,
                    "notes": "",
                },
            )
            claims.submit(claim, actor=user)
            claims.approve(claim, actor=coordinator)
            ids.append(claim.pk)
        run, _ = services.create_run(actor=coordinator, claim_ids=ids, note="Demo run")
        payout = run.payouts.get()
        if settle:
            services.record_manual_payment(
                payout, actor=coordinator, paid_on=timezone.localdate(), reference=f"DEMO-BACS-{payout.pk}"
            )
        made += 1
    command.stdout.write(f"Payouts: {made} new demo payee(s) with payouts (sam@, jo@example.org).")
