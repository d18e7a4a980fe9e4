"""Demo opportunities: open and closed roles, paid and voluntary, with applications in every status.

Idempotent: the index and each opportunity are found by slug, applications by (opportunity, e-mail).
Applications and every decision go through `opportunities.services` (their e-mails are dropped by
`load_demo_data`); the accepted one links the demo contributor's account and records their role.
Dates are relative to today, so open stays open whenever the demo is loaded.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from home.demo import add_menu_link, p
from home.models import HomePage

from . import services
from .models import Application, OpportunityIndexPage, OpportunityPage

Status = Application.Status

QUESTIONS = [
    (
        "question",
        {
            "question": "Why would you like to be involved?",
            "help_text": "A few sentences is plenty.",
            "kind": "long",
            "required": True,
        },
    ),
    (
        "question",
        {
            "question": "Have you been involved in research before?",
            "help_text": "",
            "kind": "yes_no",
            "required": False,
        },
    ),
]

OPPORTUNITIES = [
    {
        "slug": "lived-experience-advisory-panel",
        "title": "Lived experience advisory panel",
        "summary": "Meet online once a month to steer a study on leaving hospital, with people who have done it.",
        "role_kind": "advisory_panel",
        "topic": "long_term_conditions",
        "format": "online",
        "location": "",
        "who_for": "People who have left hospital in the last three years, and the family or friends who "
        "helped them. No research experience needed.",
        "hours_per_month": "3.5",
        "meetings_count": 12,
        "sessions_per_month": 1,
        "activity_type": "meeting",
        "session_minutes": 120,
        "preparation_minutes": 60,
        "is_paid": True,
        "starts": 45,
        "ends": 45 + 365,
        "closes": 20,
        "access_support": "Captions on every call, papers a week before in large print or easy read, a "
        "device and data if you need them, and a named person to call between meetings.",
        "applicants": [
            ("Amira Hassan", Status.RECEIVED),
            ("Ben Okafor", Status.RECEIVED),
            ("Carys Jones", Status.SHORTLISTED),
            ("Dev Patel", Status.OFFERED),
            ("Erin Walsh", Status.WITHDRAWN),
        ],
    },
    {
        "slug": "research-partner-care-homes",
        "title": "Research partner: life in care homes",
        "summary": "Join the research team as a partner: shape interviews, visit care homes and help make sense of what we hear.",
        "role_kind": "research_partner",
        "topic": "social_care",
        "format": "hybrid",
        "location": "Bristol",
        "who_for": "People who live or have lived in a care home, or who care for someone who does.",
        "hours_per_month": "8",
        "meetings_count": None,
        "sessions_per_month": 2,
        "activity_type": "fieldwork",
        "session_minutes": 240,
        "preparation_minutes": 60,
        "is_paid": True,
        "starts": 60,
        "ends": 60 + 540,
        "closes": 9,
        "access_support": "Travel booked and paid for you, a carer or PA welcome, training before you start.",
        "applicants": [("Femi Adeyemi", Status.RECEIVED), ("Grace Liu", Status.NOT_SELECTED)],
    },
    {
        "slug": "plain-english-reviewers",
        "title": "Plain English reviewers",
        "summary": "Read short study leaflets at home and tell us what is unclear. Voluntary, in your own time.",
        "role_kind": "reviewer",
        "topic": "public_health",
        "format": "online",
        "location": "",
        "who_for": "Anyone who would like to help make research leaflets easier to read.",
        "hours_per_month": "1",
        "meetings_count": None,
        "sessions_per_month": None,
        "activity_type": "reviewing",
        "session_minutes": 60,
        "preparation_minutes": 0,
        "is_paid": False,
        "starts": 10,
        "ends": None,
        "closes": 60,
        "access_support": "Leaflets by post or e-mail, in large print or audio on request.",
        "applicants": [("Hana Novak", Status.RECEIVED)],
    },
    {
        "slug": "young-carers-workshops",
        "title": "Young carers workshops",
        "summary": "Three workshops to design a study with young adult carers. Applications have closed.",
        "role_kind": "workshop",
        "topic": "children_families",
        "format": "in_person",
        "location": "Greenway Community Centre, Bristol",
        "who_for": "Young adults aged 18 to 25 who look after someone.",
        "hours_per_month": "3",
        "meetings_count": 3,
        "sessions_per_month": 1,
        "activity_type": "meeting",
        "session_minutes": 180,
        "preparation_minutes": 0,
        "is_paid": True,
        "starts": -20,
        "ends": 70,
        "closes": -30,
        "access_support": "Step-free venue, quiet room, food provided, replacement care paid for.",
        "applicants": [
            ("Chris Contributor", Status.ACCEPTED, "contributor@example.org"),
            ("Isla Murray", Status.DECLINED),
            ("Jamal Reid", Status.NOT_SELECTED),
            ("Kim Tran", Status.SHORTLISTED),
        ],
    },
    {
        "slug": "mental-health-grant-reviewers",
        "title": "Grant reviewers: mental health",
        "summary": "Review funding applications from a lived experience view. This round has closed.",
        "role_kind": "reviewer",
        "topic": "mental_health",
        "format": "online",
        "location": "",
        "who_for": "People with lived experience of mental health services.",
        "hours_per_month": "4",
        "meetings_count": 2,
        "sessions_per_month": None,
        "activity_type": "reviewing",
        "session_minutes": 240,
        "preparation_minutes": 0,
        "is_paid": True,
        "starts": -90,
        "ends": -10,
        "closes": -120,
        "access_support": "Papers in your preferred format; panel meeting by phone if you prefer.",
        "applicants": [("Lena Fischer", Status.NOT_SELECTED), ("Marek Nowak", Status.WITHDRAWN)],
    },
]


def build_index(home):
    index = OpportunityIndexPage.objects.first()
    if index is None:
        index = OpportunityIndexPage(
            title="Get involved",
            slug="get-involved",
            introduction=p(
                "Roles for people who want to shape health and care research: advisory panels, research "
                "partners, workshops and reviewing. No account or experience needed to apply; every role says "
                "what it pays under our payment policy and the support we offer."
            ),
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def _apply(opportunity, name, email, status, coordinator, applied_on):
    if Application.objects.filter(opportunity=opportunity, email=email).exists():
        return 0
    data = {
        "name": name,
        "email": email,
        "phone": "",
        "postal_address": "",
        "preferred_contact": "email",
        "access_needs": "Papers in large print, please." if name[0] in "ACGI" else "",
        "support_needed": "Help booking travel." if name[0] in "BF" else "",
        "consent_to_contact": True,
        "answers": [
            {
                "question": "Why would you like to be involved?",
                "answer": "I have been through this and want to help others.",
            },
            {"question": "Have you been involved in research before?", "answer": "No"},
        ],
        "monitoring": {"age_band": "45_64", "disability": "yes"} if name[0] in "ABCDE" else {},
    }
    application = services.apply(opportunity, data=data, now=applied_on)
    services.bring_to(application, status, coordinator=coordinator)
    return 1


def build_opportunities(index, coordinator):
    today = timezone.localdate()
    created = applied = 0
    for spec in OPPORTUNITIES:
        page = OpportunityPage.objects.filter(slug=spec["slug"]).first()
        if page is None:
            fields = {k: v for k, v in spec.items() if k not in ("starts", "ends", "closes", "applicants")}
            page = OpportunityPage(
                **fields,
                starts_on=today + timedelta(days=spec["starts"]),
                ends_on=today + timedelta(days=spec["ends"]) if spec["ends"] is not None else None,
                closing_date=today + timedelta(days=spec["closes"]),
                contact_email="involvement@example.org",
                questions=QUESTIONS,
            )
            index.add_child(instance=page)
            page.save_revision().publish()
            created += 1
        applied_on = timezone.now() - timedelta(days=max(1, 10 - spec["closes"]))
        for n, applicant in enumerate(spec["applicants"]):
            name, status = applicant[:2]
            email = applicant[2] if len(applicant) > 2 else f"{name.split()[0].lower()}.{page.pk}@example.org"
            applied += _apply(page, name, email, status, coordinator, applied_on + timedelta(hours=n))
    return created, applied


def load(command, options):
    home = HomePage.objects.first()
    index = build_index(home)
    add_menu_link(index)
    coordinator = get_user_model().objects.get(email="coordinator@example.org")
    created, applied = build_opportunities(index, coordinator)
    command.stdout.write(
        f"Get involved: index, {created} new opportunity page(s) and {applied} new application(s)."
    )
