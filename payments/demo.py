"""Demo data for involvement and fair pay: a policy with two versions (£25/h, then £27.50/h from
16 December 2025), a published policy page, and the demo contributor's claims in every status.

Idempotent: the policy is found by name, versions by date, the page by slug, claims by project name.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

POLICY_NAME = "Involvement payment policy"
POLICY_SLUG = "involvement-payment-policy"
OLD_FROM = datetime.date(2024, 4, 6)
NEW_FROM = datetime.date(2025, 12, 16)

RATES = {
    # activity: (hourly, half-day rate, half-day hours, day rate, day hours) at the old rates
    "meeting": (Decimal("25.00"), Decimal("80.00"), Decimal("3"), Decimal("150.00"), Decimal("6")),
    "preparation": (Decimal("25.00"), None, None, None, None),
    "reviewing": (Decimal("25.00"), None, None, None, None),
    "fieldwork": (Decimal("30.00"), Decimal("95.00"), Decimal("3"), Decimal("180.00"), Decimal("6")),
    "cowriting": (Decimal("30.00"), None, None, None, None),
    "training": (Decimal("20.00"), None, None, None, None),
}
RISE = Decimal("1.10")  # the newer version pays 10% more


def _scaled(value, factor):
    return None if value is None else (value * factor).quantize(Decimal("0.01"))


def build_policy_page():
    from home.demo import build_page_tree
    from home.factories import GuidancePageFactory
    from home.models import GuidanceIndexPage, GuidancePage

    existing = GuidancePage.objects.filter(slug=POLICY_SLUG).first()
    if existing:
        return existing
    home, _index, _created = build_page_tree()
    index = GuidanceIndexPage.objects.child_of(home).first()
    page = GuidancePageFactory(
        parent=index,
        slug=POLICY_SLUG,
        title="How we pay contributors",
        summary="Our involvement payment policy in plain English: the rates, what counts, expenses, and your "
        "choice to be paid, paid less, or not paid at all.",
        body=[
            {"type": "heading", "value": {"text": "The same rate for the same work", "level": "h2"}},
            {
                "type": "paragraph",
                "value": "<p>Everyone is paid the same rate for the same activity. From 16 December 2025 a "
                "meeting or workshop pays £27.50 an hour, with a half-day and a day rate for longer sessions; "
                "we never pay less than the hourly total. Preparation is paid up to half the session time.</p>",
            },
            {"type": "heading", "value": {"text": "Expenses", "level": "h2"}},
            {
                "type": "paragraph",
                "value": "<p>Expenses are repaid at cost and are not earnings: travel or mileage at 45p a mile, "
                "a carer or personal assistant, childcare, accessibility support, food and drink, and phone "
                "or internet costs. Keep receipts for anything over £10.</p>",
            },
            {"type": "heading", "value": {"text": "Your choice", "level": "h2"}},
            {
                "type": "paragraph",
                "value": "<p>You may be paid, choose vouchers, ask for a lower amount, give your payment to a "
                "charity, or decline it. If you receive benefits, please talk to an independent "
                "welfare-rights adviser first. We pay within 30 days of approving a claim.</p>",
            },
        ],
    )
    page.save_revision().publish()
    return page


def build_policy():
    from .models import PaymentPolicy, PolicyVersion, RateCard

    policy = PaymentPolicy.objects.filter(name=POLICY_NAME).first()
    if policy is None:
        active = PaymentPolicy.objects.active()
        policy = PaymentPolicy.objects.create(
            name=POLICY_NAME,
            is_active=active is None,
            summary="Co-created with contributors in 2024 and updated in December 2025.",
        )
    page = build_policy_page()
    versions = []
    for effective_from, factor, notes in (
        (OLD_FROM, Decimal("1"), "The first version, co-created with contributors."),
        (NEW_FROM, RISE, "Rates up by 10%, in line with the national public-involvement rates."),
    ):
        version = PolicyVersion.objects.filter(policy=policy, effective_from=effective_from).first()
        if version is None:
            version = PolicyVersion.objects.create(
                policy=policy, effective_from=effective_from, policy_page=page, notes=notes
            )
            for activity, (hourly, half, half_hours, day, day_hours) in RATES.items():
                RateCard.objects.create(
                    version=version,
                    activity_type=activity,
                    hourly_rate=_scaled(hourly, factor),
                    half_day_rate=_scaled(half, factor),
                    half_day_min_hours=half_hours,
                    day_rate=_scaled(day, factor),
                    day_min_hours=day_hours,
                )
            RateCard.objects.create(version=version, activity_type="social", is_paid=False)
            version.expense_caps.create(category="subsistence", cap=Decimal("15.00"))
            version.expense_caps.create(category="internet_phone", cap=Decimal("10.00"))
        versions.append(version)
    return policy, versions


DEMO_CLAIMS = [
    # project (unique key), date, activity, minutes, preparation, final status
    ("Demo: advisory group, March", datetime.date(2025, 3, 12), "meeting", 130, 45, "paid"),
    ("Demo: interview guide review", datetime.date(2025, 11, 20), "reviewing", 95, 0, "declined"),
    ("Demo: community workshop", datetime.date(2026, 1, 14), "meeting", 200, 60, "approved"),
    ("Demo: summer social", datetime.date(2026, 6, 20), "social", 120, 0, "rejected"),
    ("Demo: co-writing the findings", datetime.date(2026, 9, 3), "cowriting", 150, 30, "submitted"),
    ("Demo: reading the protocol", datetime.date(2026, 10, 8), "preparation", 50, 0, "draft"),
    ("Demo: focus group, called off", datetime.date(2026, 2, 10), "meeting", 90, 0, "cancelled"),
]


def build_claims(contributor, coordinator):
    from . import expenses, services
    from .models import ContributorProfile, InvolvementClaim

    ContributorProfile.objects.get_or_create(
        user=contributor,
        defaults={
            "display_name": contributor.get_full_name() or contributor.email,
            "payment_preference": ContributorProfile.PaymentPreference.BANK_TRANSFER,
            "weekly_limit": Decimal("195.50"),
            "tax_year_limit": Decimal("1000.00"),
        },
    )
    created = 0
    for project, day, activity, minutes, prep, status in DEMO_CLAIMS:
        if InvolvementClaim.objects.filter(contributor=contributor, project=project).exists():
            continue
        claim = services.create_draft(
            contributor=contributor,
            data={
                "work_date": day,
                "activity_type": activity,
                "duration_minutes": minutes,
                "preparation_minutes": prep,
                "project": project,
                "notes": "",
            },
        )
        if activity == "meeting":
            expenses.add_expense(
                claim,
                actor=contributor,
                data={"category": "mileage", "miles": Decimal("18"), "description": "return"},
            )
        created += 1
        if status == "draft":
            continue
        services.submit(claim, actor=contributor)
        if status == "submitted":
            continue
        if status == "cancelled":
            services.cancel(claim, reason="The focus group was called off, so the work did not happen.")
            continue
        if status == "rejected":
            services.reject(claim, actor=coordinator, reason="Social events are not paid under the policy.")
            continue
        services.approve(claim, actor=coordinator)
        # "paid" stays approved here: the payouts demo pays it (payments never imports payouts).
        if status == "declined":
            services.mark_declined(claim, actor=contributor, note="Contributor chose not to be paid")
        elif status == "approved":
            # Approved long enough ago to show on the dashboard as waiting past the pay-within period.
            InvolvementClaim.objects.filter(pk=claim.pk).update(
                decided_at=timezone.now() - datetime.timedelta(days=35)
            )
    return created


def build_offline_contributor(coordinator):
    """A contributor without e-mail (recorded from a phone call, consent noted) with one claim the
    coordinator entered from a signed sheet, waiting for another coordinator. Idempotent."""
    from accounts.models import User

    from . import services
    from .models import EnteredFrom, InvolvementClaim

    person = User.objects.filter(email__isnull=True, first_name="Maureen", last_name="Lowe").first()
    if person is None:
        person = services.record_offline_contributor(
            actor=coordinator,
            first_name="Maureen",
            last_name="Lowe",
            phone="0161 496 0999",
            postal_address="1 Mill Lane\nOldham\nOL1 1AA",
            consent_how="Agreed on the phone",
            consent_on=datetime.date(2026, 1, 12),
            payment_preference="bank_transfer",
        ).user
    if InvolvementClaim.objects.filter(contributor=person).exists():
        return 0
    services.create_on_behalf(
        contributor=person,
        actor=coordinator,
        data={
            "work_date": datetime.date(2026, 1, 14),
            "activity_type": "meeting",
            "duration_minutes": 180,
            "project": "Demo: community workshop",
        },
        entered_from=EnteredFrom.PAPER,
        agreement="Signed the workshop sheet on 14 January 2026 (filed)",
        expenses=[{"category": "travel", "amount": Decimal("6.80"), "description": "Bus fares"}],
    )
    return 1


def build_money_contacts():
    """The demo site's contact for late payments and its welfare-rights adviser, unless an editor
    already set them (so running the demo again changes nothing)."""
    from wagtail.models import Site

    from home.models import SiteSettings

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return
    settings = SiteSettings.for_site(site)
    if settings.payments_contact_name or settings.welfare_adviser_name:
        return
    settings.payments_contact_name = "Cora, involvement coordinator"
    settings.payments_contact_email = "coordinator@example.org"
    settings.welfare_adviser_name = "Citizens Advice (benefits and work)"
    settings.welfare_adviser_url = "https://www.citizensadvice.org.uk/benefits/"
    settings.save()


def load(command, options):
    from home.demo import build_users

    users = build_users()
    build_money_contacts()
    policy, versions = build_policy()
    created = build_claims(users["contributor@example.org"], users["coordinator@example.org"])
    offline = build_offline_contributor(users["coordinator@example.org"])
    command.stdout.write(
        f"Payments: policy '{policy}' with {len(versions)} versions; {created} new demo claim(s) "
        "for contributor@example.org (one in every status); "
        f"{offline} claim entered for Maureen Lowe, who has no e-mail address."
    )
