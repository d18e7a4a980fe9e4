"""Bench data for Get involved: 1,000 opportunities and 10,000 applications; the index (open, filtered,
closed), an opportunity page with its pay worked out, and the coordinators' applications listing.

Pages need tree paths, so opportunities are added one by one (no revisions, no e-mails); applications go
in with bulk_create. Idempotent: only what is missing is created.
"""

from datetime import timedelta

OPPORTUNITIES = 1_000
APPLICATIONS = 10_000
PREFIX = "bench-opportunity-"
BATCH = 5_000
COORDINATOR = "bench-coordinator@example.org"


def _index():
    from home.models import HomePage

    from .demo import build_index
    from .models import OpportunityIndexPage

    return OpportunityIndexPage.objects.first() or build_index(HomePage.objects.first())


def setup(stdout):
    from django.db import transaction
    from django.utils import timezone

    from .choices import Format, RoleKind, Topic
    from .models import Application, OpportunityPage

    index = _index()
    have = OpportunityPage.objects.filter(slug__startswith=PREFIX).count()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    today = timezone.localdate()
    kinds, topics, formats = list(RoleKind.values), list(Topic.values), list(Format.values)
    for first in range(have, OPPORTUNITIES, 100):
        with transaction.atomic():
            for i in range(first, min(first + 100, OPPORTUNITIES)):
                page = OpportunityPage(
                    title=f"Bench opportunity {i}",
                    slug=f"{PREFIX}{i}",
                    summary="A bench role to measure listings and pages.",
                    role_kind=kinds[i % len(kinds)],
                    topic=topics[i % len(topics)],
                    format=formats[i % len(formats)],
                    location="Bristol",
                    who_for="Anyone.",
                    hours_per_month=4,
                    sessions_per_month=2,
                    session_minutes=120,
                    preparation_minutes=30,
                    is_paid=i % 4 != 0,
                    # A third closed, the rest closing over the next year.
                    closing_date=today + timedelta(days=(i % 3 - 1) * 100 + i % 97),
                    live=True,
                    first_published_at=now,
                    last_published_at=now,
                )
                index.add_child(instance=page)
    if have < OPPORTUNITIES:
        stdout.write(f"  opportunities: created {OPPORTUNITIES - have} bench opportunities\n")

    pages = list(
        OpportunityPage.objects.filter(slug__startswith=PREFIX).order_by("pk").values_list("pk", flat=True)
    )
    existing = Application.objects.filter(opportunity_id__in=pages).count()
    statuses = list(Application.Status.values)
    batch = []
    for n in range(existing, APPLICATIONS):
        batch.append(
            Application(
                opportunity_id=pages[n % len(pages)],
                name=f"Bench applicant {n}",
                email=f"applicant{n}@example.org",
                status=statuses[n % len(statuses)],
                access_needs="Large print" if n % 5 == 0 else "",
                answers=[{"question": "Why?", "answer": "To help."}],
                created_at=now - timedelta(minutes=n),
            )
        )
        if len(batch) >= BATCH:
            Application.objects.bulk_create(batch)
            batch = []
    if batch:
        Application.objects.bulk_create(batch)
    if existing < APPLICATIONS:
        stdout.write(f"  opportunities: created {APPLICATIONS - existing} bench applications\n")
    _coordinator()


def _coordinator():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from accounts.models import COORDINATORS

    user, _ = get_user_model().objects.get_or_create(email=COORDINATOR, defaults={"first_name": "Bench"})
    user.groups.add(Group.objects.get_or_create(name=COORDINATORS)[0])
    return user


def _page_path():
    from .models import OpportunityPage

    page = OpportunityPage.objects.filter(slug=f"{PREFIX}1").first()
    return page.url if page else "/"


def scenarios():
    index = _index()
    return [
        {"name": "opportunities: index (open)", "path": index.url},
        {
            "name": "opportunities: index, paid reviewer roles",
            "path": index.url + "?role_kind=reviewer&paid=paid",
        },
        {"name": "opportunities: index (closed)", "path": index.url + "?show=closed"},
        {"name": "opportunities: opportunity page (pay worked out)", "path": _page_path()},
    ]


def admin_listing_client():
    """A client signed in as the bench coordinator, and the applications listing's address."""
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(_coordinator())
    return client, reverse("opportunities_admin:index")


def measurements():
    client, url = admin_listing_client()

    def listing():
        response = client.get(url)
        assert response.status_code == 200

    def filtered():
        response = client.get(url + "?status=received")
        assert response.status_code == 200

    return [
        ("opportunities: applications admin listing, 10,000 applications", listing),
        ("opportunities: applications admin listing, filtered by status", filtered),
    ]
