"""Demo content for the home app: the page tree, guidance written in our own words, demo users.

Every function here is idempotent: it finds what exists by slug or email and creates only what is
missing, so running `load_demo_data` again changes nothing an editor has since edited.
"""

import os
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from accounts.factories import UserFactory
from accounts.models import CONTRIBUTORS, COORDINATORS, EDITORS, MODERATORS, User

from .factories import GuidanceIndexPageFactory, GuidancePageFactory, HomePageFactory
from .models import GuidanceIndexPage, GuidancePage, HomePage, NavigationSettings, SiteSettings

DEMO_PASSWORD = "co-produce-2026"  # noqa: S105 - local demo only, printed by the command

DEMO_USERS = [
    # email, first, last, groups, superuser
    ("admin@example.org", "Ada", "Admin", [], True),
    ("editor@example.org", "Eddie", "Editor", [EDITORS], False),
    # Moderators publish, so they approve what the community suggests for the library.
    ("moderator@example.org", "Mo", "Moderator", [EDITORS, MODERATORS], False),
    ("coordinator@example.org", "Cora", "Coordinator", [COORDINATORS], False),
    ("contributor@example.org", "Chris", "Contributor", [CONTRIBUTORS], False),
]


def p(text):
    return f"<p>{text}</p>"


SHARING_POWER = {
    "slug": "sharing-power",
    "title": "Sharing power in co-produced research",
    "summary": "What sharing power means when researchers, practitioners and people with lived experience "
    "work on a study together, and practical ways to do it from the first meeting to the final report.",
    "body": [
        {"type": "heading", "value": {"text": "Why power matters", "level": "h2"}},
        {
            "type": "paragraph",
            "value": p(
                "Co-producing research means working as equal partners. In practice, people do not arrive "
                "equal: a researcher may hold the budget and the deadline, a practitioner the access to a "
                "service, a public contributor the knowledge of what it is like to use it. Sharing power "
                "starts with naming these differences rather than pretending they are not there."
            ),
        },
        {
            "type": "callout",
            "value": {
                "kind": "tip",
                "title": "A useful starting point",
                "body": p("Ask at the first meeting: who decides what, and how would we change that?"),
            },
        },
        {"type": "heading", "value": {"text": "Practical steps", "level": "h2"}},
        {
            "type": "steps",
            "value": {
                "title": "Sharing power through a project",
                "steps": [
                    {
                        "title": "Involve people before the question is fixed",
                        "body": p("Shape the research question together, not only the leaflet."),
                    },
                    {
                        "title": "Agree roles and decisions in writing",
                        "body": p(
                            "A short agreement says who decides what, and how disagreements are settled."
                        ),
                    },
                    {
                        "title": "Pay people fairly and promptly",
                        "body": p(
                            "Offer payment at the same rate for the same work, cover expenses up front, "
                            "and respect people who choose not to be paid."
                        ),
                    },
                    {
                        "title": "Share the budget and the credit",
                        "body": p(
                            "Make the budget visible and name co-producers as authors where they have earned it."
                        ),
                    },
                    {
                        "title": "Look back together",
                        "body": p(
                            "Review how power was shared at the end, and write down what you would change."
                        ),
                    },
                ],
            },
        },
        {
            "type": "quote",
            "value": {
                "text": "We stopped asking people to join our project and started asking what the project "
                "should be.",
                "attribution": "A researcher at one of our workshops",
            },
        },
        {"type": "heading", "value": {"text": "Common questions", "level": "h2"}},
        {
            "type": "accordion",
            "value": {
                "title": "",
                "items": [
                    {
                        "question": "Is co-production the same as public involvement?",
                        "answer": p(
                            "No. Involvement can be a single consultation; co-production shares responsibility "
                            "and decisions across the whole project."
                        ),
                    },
                    {
                        "question": "What if we cannot share every decision?",
                        "answer": p(
                            "Say so openly, explain why, and share the ones you can. Honesty about limits builds "
                            "more trust than a promise you cannot keep."
                        ),
                    },
                ],
            },
        },
    ],
}

REFLECTION = {
    "slug": "reflecting-on-power",
    "title": "Questions for reflecting on power",
    "summary": "Questions to ask yourself, alone or as a team, about where your power comes from and how "
    "it shapes the way you work with others.",
    "body": [
        {"type": "heading", "value": {"text": "Before you start", "level": "h2"}},
        {
            "type": "paragraph",
            "value": p(
                "These questions are for everyone in a project: researchers, practitioners and public "
                "contributors. There are no right answers. Take your time, and talk them through with "
                "someone you trust if that helps."
            ),
        },
        {
            "type": "reflection",
            "value": {
                "title": "Your own sources of power",
                "introduction": p("Think about a project you are part of now."),
                "questions": [
                    "What gives me power in this project: my job title, my knowledge, my experience, "
                    "my networks, my confidence?",
                    "When have I felt powerless in a meeting, and what caused it?",
                    "Whose voice do I find easiest to listen to, and whose do I overlook?",
                ],
            },
        },
        {"type": "heading", "value": {"text": "As a team", "level": "h2"}},
        {
            "type": "reflection",
            "value": {
                "title": "Questions for the whole team",
                "introduction": "",
                "questions": [
                    "Who set the agenda for our last meeting?",
                    "Who holds the money, and does everyone know how it is spent?",
                    "What would change if the people most affected chaired our meetings?",
                ],
            },
        },
    ],
}

MANIFESTO = {
    "slug": "draft-manifesto",
    "title": "Draft manifesto for co-produced research: have your say",
    "summary": "Our draft commitments for how we will work together. It is a draft: tell us what is "
    "missing, what is wrong and what matters most to you.",
    "accepts_feedback": True,
    "feedback_introduction": "Comment on any part of the draft. We read every comment and will publish "
    "a summary of what we changed.",
    "body": [
        {"type": "heading", "value": {"text": "Our commitments", "level": "h2"}},
        {
            "type": "steps",
            "value": {
                "title": "",
                "steps": [
                    {"title": "We value lived experience as expertise", "body": ""},
                    {"title": "We pay people fairly, promptly and in the way they choose", "body": ""},
                    {"title": "We make every event accessible and ask what people need", "body": ""},
                    {"title": "We share decisions, budgets and credit", "body": ""},
                    {"title": "We say openly what we cannot change", "body": ""},
                ],
            },
        },
        {
            "type": "callout",
            "value": {
                "kind": "important",
                "title": "This is a draft",
                "body": p("Nothing here is final. Your comments will shape the next version."),
            },
        },
    ],
}

FAIR_PAY = {
    "slug": "paying-contributors-fairly",
    "title": "Paying public contributors fairly",
    "summary": "How we pay people for the time and expertise they give: rates, expenses, choosing how "
    "or whether to be paid, and where to get independent advice about benefits.",
    "body": [
        {"type": "heading", "value": {"text": "Same work, same rate", "level": "h2"}},
        {
            "type": "paragraph",
            "value": p(
                "Everyone doing the same activity is paid at the same rate, set out in our published "
                "payment policy. The rate that applies is the one in force on the day you did the work."
            ),
        },
        {"type": "heading", "value": {"text": "Nobody out of pocket", "level": "h2"}},
        {
            "type": "paragraph",
            "value": p(
                "Expenses are separate from payment and are repaid at cost: travel, a carer or personal "
                "assistant, childcare, interpreters and other access support."
            ),
        },
        {"type": "heading", "value": {"text": "Your choice", "level": "h2"}},
        {
            "type": "callout",
            "value": {
                "kind": "info",
                "title": "If you receive benefits",
                "body": p(
                    "Payments can affect some benefits. We can tell you the facts, but we cannot advise "
                    "you: please talk to an independent welfare-rights adviser before you decide. You can "
                    "choose a lower amount, vouchers, a payment to a charity, or no payment at all."
                ),
            },
        },
    ],
}

GUIDANCE = [SHARING_POWER, REFLECTION, MANIFESTO, FAIR_PAY]


def ensure_root():
    """The tree root and default locale that Wagtail's migrations create; a flushed database
    (transactional tests) has lost them, so they are put back."""
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(title="Root", slug="root", live=True)
    return root


def build_page_tree():
    root = ensure_root()
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's migration creates a placeholder welcome page on the default site: replace it.
        home = HomePageFactory(parent=root, slug="home-portal")
        site = Site.objects.filter(is_default_site=True).first()
        placeholder = site.root_page if site else None
        if site:
            site.root_page = home
            site.site_name = "Co-production Portal"
            site.save()
        else:
            site = Site.objects.create(
                hostname="localhost",
                port=80,
                root_page=home,
                is_default_site=True,
                site_name="Co-production Portal",
            )
        if placeholder and placeholder.specific_class is Page and placeholder.depth == 2:
            placeholder.delete()
            home.refresh_from_db()
    site = Site.objects.get(root_page=home)

    index = GuidanceIndexPage.objects.child_of(home).first() or GuidanceIndexPageFactory(parent=home)

    created = 0
    for spec in GUIDANCE:
        if GuidancePage.objects.filter(slug=spec["slug"]).exists():
            continue
        page = GuidancePageFactory(parent=index, **spec)
        page.save_revision().publish()  # a real revision, so editors see history and publish dates
        created += 1

    if not home.featured_guidance.raw_data:
        featured = GuidancePage.objects.filter(slug__in=[g["slug"] for g in GUIDANCE[:3]])
        home.featured_guidance = [{"type": "page", "value": page.pk} for page in featured.order_by("pk")]
        home.save_revision().publish()

    settings = SiteSettings.for_site(site)
    if not settings.contact_email:
        settings.organisation_name = "Co-production Portal"
        settings.contact_email = "hello@example.org"
        settings.phone = "0117 496 0000"
        settings.postal_address = "PO Box 1234\nBristol\nBS1 1AA"
        settings.footer_text = (
            "<p>A community of public contributors, researchers and practitioners who co-produce "
            "health and care research.</p>"
        )
        settings.save()

    nav = NavigationSettings.for_site(site)
    if not nav.primary_links.raw_data:
        nav.primary_links = [{"type": "link", "value": {"page": home.pk, "url": "", "label": "Home"}}]
        nav.primary_links.append(("link", {"page": index, "url": "", "label": ""}))
        nav.save()
    return home, index, created


def add_menu_link(page, label=""):
    """Adds `page` to the main menu of its site unless it is already there (for other apps' demos)."""
    site = page.get_site()
    nav = NavigationSettings.for_site(site)
    if any(block.value.get("page") and block.value["page"].pk == page.pk for block in nav.primary_links):
        return
    nav.primary_links.append(("link", {"page": page, "url": "", "label": label}))
    nav.save()


def build_users():
    users = {}
    for email, first, last, groups, superuser in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = UserFactory(
                email=email,
                first_name=first,
                last_name=last,
                is_superuser=superuser,
                is_staff=superuser,
                password=DEMO_PASSWORD,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        for name in groups:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
        users[email] = user
    return users


def add_arguments(parser):
    parser.add_argument(
        "--address",
        default=os.environ.get("SITE_ADDRESS") or local_address(),
        help="Where the site is served (default: http://HOST:PORT from the environment, as `make run` "
        "serves it). The default Site record takes its host and port, so links in e-mails open.",
    )


def local_address():
    """`make run`'s address: HOST and PORT from the environment (a wildcard host as localhost)."""
    host = os.environ.get("HOST") or "127.0.0.1"
    host = "localhost" if host in {"0.0.0.0", "::", "[::]"} else host
    return f"http://{host}:{os.environ.get('PORT') or '8000'}"


def point_site_at(address):
    """The default Site's host and port become `address`'s: absolute links (e-mails, feeds, the sitemap)
    then lead where the demo is served."""
    parts = urlsplit(address)
    if not parts.hostname:
        raise CommandError(f"{address!r} is not an address such as http://127.0.0.1:8000")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for site in Site.objects.filter(is_default_site=True):
        site.hostname, site.port = parts.hostname, port
        site.save()  # a save, not an update: Wagtail forgets its cached site root addresses


def load(command, options):
    home, index, created = build_page_tree()
    if options.get("address"):
        point_site_at(options["address"])
        command.stdout.write(f"Site address: {options['address']} (links in e-mails lead there)")
    build_users()
    command.stdout.write(f"Pages: home, guidance index and {created} new guidance page(s).")
