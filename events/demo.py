"""Demo events: past, upcoming, full with a waiting list, online, in person, and a follow-up.

Idempotent: the index and each event are found by slug, and registrations by (event, e-mail), so a second
run adds nothing. Times are relative to today, so "upcoming" stays upcoming whenever the demo is loaded.
Registrations go through `events.services` (their e-mails are dropped by `load_demo_data`).
"""

import contextlib
from datetime import time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from home.demo import add_menu_link
from home.models import HomePage

from . import services
from .models import (
    AccessProvision,
    EventIndexPage,
    EventMaterialFile,
    EventPage,
    FeedbackInvitation,
    Registration,
)

P = AccessProvision

COMMON = {
    "venue_name": "Greenway Community Centre",
    "venue_address": "12 Greenway Road\nBristol\nBS5 6XX",
    "directions": "Step-free from the number 48 bus stop outside (50 metres, level). Drop-off point at the main "
    "door; two blue-badge spaces. Temple Meads station is 15 minutes by bus.",
    "expenses_covered": "Travel (or mileage at 45p a mile), a carer or personal assistant, childcare and "
    "subsistence, repaid at cost. Ask us if you need us to book and pay for travel in advance.",
    "contact_phone": "0117 496 0000",
    "contact_email": "events@example.org",
}

EVENTS = [
    {
        "slug": "shaping-the-study-workshop",
        "title": "Shaping the study: first workshop",
        "summary": "Help us decide what the new study on hospital discharge should ask, and how.",
        "event_type": EventPage.EventType.WORKSHOP,
        "format": EventPage.Format.IN_PERSON,
        "days": -120,
        "hours": (10, 13),
        "capacity": 20,
        "access_provisions": [
            P.STEP_FREE,
            P.ACCESSIBLE_TOILET,
            P.HEARING_LOOP,
            P.BSL,
            P.BREAKS,
            P.QUIET_ROOM,
        ],
        "is_paid_involvement": True,
        "involvement_activity_type": "workshop",
        "people": 8,
        "attended": True,
    },
    {
        "slug": "six-months-on",
        "title": "Six months on: checking back in",
        "summary": "We come back to the people from the first workshop to show what changed because of them.",
        "event_type": EventPage.EventType.FOLLOW_UP,
        "format": EventPage.Format.HYBRID,
        "days": 21,
        "hours": (14, 16),
        "capacity": 20,
        "access_provisions": [P.STEP_FREE, P.ACCESSIBLE_TOILET, P.HEARING_LOOP, P.LIVE_CAPTIONS, P.BREAKS],
        "joining_details": "Join on the video call: https://meet.example.org/six-months-on (passcode 2468). "
        "Phone in: 0330 088 0000.",
        "follows_up_on": "shaping-the-study-workshop",
        "is_paid_involvement": True,
        "involvement_activity_type": "workshop",
        "people": 5,
    },
    {
        "slug": "introduction-to-research",
        "title": "Training: an introduction to health research",
        "summary": "A relaxed day on how studies work, what ethics committees look for and how you can shape them.",
        "event_type": EventPage.EventType.TRAINING,
        "format": EventPage.Format.IN_PERSON,
        "days": 35,
        "hours": (10, 15),
        "capacity": 16,
        "access_provisions": [
            P.STEP_FREE,
            P.ACCESSIBLE_TOILET,
            P.MATERIALS_IN_ADVANCE,
            P.LARGE_PRINT,
            P.BREAKS,
        ],
        "is_paid_involvement": True,
        "involvement_activity_type": "training",
        "people": 6,
    },
    {
        "slug": "online-coffee-catch-up",
        "title": "Online coffee and catch-up",
        "summary": "An informal hour online to meet others in the community. Cameras optional.",
        "event_type": EventPage.EventType.SOCIAL,
        "format": EventPage.Format.ONLINE,
        "days": 7,
        "hours": (11, 12),
        "capacity": None,
        "access_provisions": [P.LIVE_CAPTIONS, P.BREAKS],
        "joining_details": "https://meet.example.org/coffee (no passcode). Or call 0330 088 0000 and enter 1357.",
        "people": 4,
    },
    {
        "slug": "reviewing-the-survey",
        "title": "Small group: reviewing the survey questions",
        "summary": "Read the draft survey with us and tell us which questions are unclear or unkind.",
        "event_type": EventPage.EventType.MEETING,
        "format": EventPage.Format.IN_PERSON,
        "days": 14,
        "hours": (13, 15),
        "capacity": 4,
        "access_provisions": [P.STEP_FREE, P.ACCESSIBLE_TOILET, P.MATERIALS_IN_ADVANCE, P.QUIET_ROOM],
        "is_paid_involvement": True,
        "involvement_activity_type": "meeting",
        "people": 6,  # more than the seats: two on the waiting list
    },
]

PEOPLE = [
    ("Aisha Khan", ["bsl"], "", False),
    ("Ben Morgan", ["step_free"], "Vegetarian", True),
    ("Chloe Evans", [], "", False),
    ("Dev Patel", ["quiet_room", "breaks"], "", False),
    ("Erin Walsh", ["large_print"], "Gluten free", False),
    ("Femi Adeyemi", [], "Halal", False),
    ("Grace Lee", ["hearing_loop"], "", False),
    ("Harry Jones", [], "", False),
]


def _at(day_offset, hour):
    today = timezone.localdate()
    return timezone.make_aware(
        timezone.datetime.combine(today + timedelta(days=day_offset), time(hour, 0)),
        timezone.get_current_timezone(),
    )


def build_index(home):
    index = EventIndexPage.objects.first()
    if index is None:
        index = EventIndexPage(
            title="Events",
            slug="events",
            introduction="<p>Workshops, training and meetings for everyone who co-produces research with us. "
            "Every event lists its access arrangements and the expenses we repay. Tell us what you need when "
            "you register, or call us.</p>",
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def build_events(index):
    created = 0
    by_slug = {}
    for spec in EVENTS:
        event = EventPage.objects.filter(slug=spec["slug"]).first()
        if event is None:
            start_hour, end_hour = spec["hours"]
            fields = {
                key: value
                for key, value in spec.items()
                if key not in ("days", "hours", "people", "attended", "follows_up_on")
            }
            event = EventPage(
                **COMMON,
                **fields,
                start=_at(spec["days"], start_hour),
                end=_at(spec["days"], end_hour),
                access_requests_by=_at(spec["days"] - 7, 17) if spec["days"] > 0 else None,
                follows_up_on=by_slug.get(spec.get("follows_up_on")),
            )
            if event.format == EventPage.Format.ONLINE:
                event.venue_name = event.venue_address = event.directions = ""
            index.add_child(instance=event)
            event.save_revision().publish()
            created += 1
        by_slug[spec["slug"]] = event
        _build_registrations(event, spec)
    return created


def _build_registrations(event, spec):
    """Registers the demo people through `services.register`, as if each had registered a few weeks
    before the event (earlier people first), so the capacity and waiting-list rules are the real ones."""
    now = timezone.now()
    for n, (name, needs, dietary, carer) in enumerate(PEOPLE[: spec["people"]]):
        email = name.lower().replace(" ", ".") + "@example.org"
        if Registration.objects.filter(event=event, email=email).exists():
            continue
        registered_at = min(now, event.start) - timedelta(days=30 - n)
        data = {
            "name": name,
            "email": email,
            "brings_carer": carer,
            "access_needs": needs,
            "dietary_needs": dietary,
            "consent_to_keep_access_info": n % 2 == 0,
        }
        registration = services.register(event, data=data, now=registered_at).registration
        if spec.get("attended") and registration.status == Registration.Status.CONFIRMED:
            attendance = Registration.Attendance.NO_SHOW if n == 2 else Registration.Attendance.ATTENDED
            services.mark_attendance(registration, attendance, now=event.end)
    _book_by_phone(event, now)


def _book_by_phone(event, now):
    """An upcoming event also has someone a coordinator booked by phone, without e-mail: they show on the
    call list with a letter to post."""
    from django.contrib.auth import get_user_model

    coordinator = get_user_model().objects.filter(groups__name="Coordinators").order_by("pk").first()
    if (
        coordinator is None
        or event.start <= now
        or Registration.objects.filter(event=event, email="").exists()
    ):
        return
    data = {
        "name": "Olive Hughes",
        "phone": "0117 496 0321",
        "postal_address": "4 Mill Lane\nBristol\nBS2 2BB",
        "preferred_contact": "post",
        "consent_to_keep_contact_details": True,
        "brings_carer": True,
        "carer_name": "Pat Hughes",
    }
    # Full with no waiting list, or closed: the demo goes on without her.
    with contextlib.suppress(services.RegistrationRefused):
        services.register(
            event, data=data, entered_by=coordinator, booked_via="phone", now=now - timedelta(days=2)
        )


def load(command, options):
    home = HomePage.objects.first()
    index = build_index(home)
    add_menu_link(index)
    created = build_events(index)
    build_materials()
    answered = build_feedback()
    command.stdout.write(
        f"Events: index and {created} new event(s) with registrations; {answered} new feedback answer(s)."
    )


HANDBOOK_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
TRAINING_MATERIALS = [
    ("heading", {"text": "Before the day", "level": "h2"}),
    (
        "paragraph",
        "<p>Please read the course handbook before you come. It is short, and there is no test: it gives "
        "us words we can all use on the day.</p>",
    ),
    (
        "link",
        {
            "title": "What is health research? (a five-minute video)",
            "url": "https://example.org/what-is-health-research",
            "description": "Captioned, with a transcript.",
        },
    ),
]
FEEDBACK_ANSWERS = [
    {"rating": 5, "what_worked": "Being paid on the day, and the quiet room.", "access_met": "yes"},
    {
        "rating": 4,
        "what_to_change": "The room was too warm after lunch.",
        "access_met": "partly",
        "access_comment": "The hearing loop was off for the first half hour.",
        "show_name": True,
    },
    {"rating": 3, "what_to_change": "More time in small groups, please.", "access_met": "not_needed"},
]
CHANGES_FROM_FEEDBACK = (
    "You said the hearing loop was off at the start, so we now test it before the doors open. You asked "
    "for more time in small groups: half of this session is in groups of four."
)


def build_materials():
    """Course materials for the training day: read-first content and a private handbook."""
    event = EventPage.objects.filter(slug="introduction-to-research").first()
    if event is None or event.has_materials:
        return False
    event.materials = TRAINING_MATERIALS
    event.materials_release = "before"
    material = EventMaterialFile(event=event, title="Course handbook")
    material.file.save("course-handbook.pdf", ContentFile(HANDBOOK_PDF), save=False)
    event.material_files.add(material)
    event.save_revision().publish()
    return True


def build_feedback():
    """Feedback on the first workshop, through the services: invitations as the job sends them the
    day it ended, answers as attendees gave them; the follow-up says what changed."""
    workshop = EventPage.objects.filter(slug="shaping-the-study-workshop").first()
    if workshop is None or FeedbackInvitation.objects.filter(registration__event=workshop).exists():
        return 0
    services.send_feedback_requests(now=workshop.end + timedelta(hours=2))
    invitations = FeedbackInvitation.objects.filter(registration__event=workshop).order_by("pk")
    answered = 0
    for invitation, answer in zip(invitations, FEEDBACK_ANSWERS, strict=False):
        services.submit_event_feedback(invitation, data=answer)
        answered += 1
    follow_up = EventPage.objects.filter(slug="six-months-on").first()
    if follow_up is not None and not follow_up.changes_from_feedback:
        follow_up.changes_from_feedback = CHANGES_FROM_FEEDBACK
        follow_up.save_revision().publish()
    return answered
