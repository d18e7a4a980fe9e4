"""Every kind of page a person outside the admin can be shown, found the way the fuzz test finds
addresses (tests/portal/fuzzing.py): every page type in the tree, and every named URL pattern outside
/admin/, made into a real address with the demo's objects: signed links (a place, an application, a
feedback invitation, a password reset), a contributor's claims in every status and their payments.

`seed_world()` loads the demo data and adds what makes a narrow screen hard: a resource with a long
URL and an unbroken organisation name, an event and an opportunity with long contact addresses.
`page_addresses(world)` answers each address with Django's test client, anonymous first and then as
the demo contributor, and keeps those that answer with an HTML page; every address outside the admin
that gives no page must be listed in NOT_PAGES with the reason, so a new page cannot slip past.
"""

from dataclasses import dataclass
from io import StringIO

from django.core.management import call_command
from django.test import Client

from .fuzzing import parameters, reverse_or_none, url_patterns

CONTRIBUTOR = "contributor@example.org"
# How many live pages of each page type are visited (the long-content ones first).
PER_PAGE_TYPE = 3
LONG_URL = (
    "https://www.example.org/research/co-production/resources/"
    "a-very-long-address-that-a-phone-must-wrap-rather-than-scroll-sideways-to-read/"
    "toolkit-for-involving-people-with-lived-experience.pdf"
)
LONG_EMAIL = "involvement-and-engagement-coordinator.public-contributors@research-partnership.example.org"
LONG_WORD = "CommunityResearchPartnershipForInvolvementAndEngagementInHealthAndSocialCareResearch"

# Addresses outside the admin that are not pages a person reads, with the reason.
NOT_PAGES = {
    "accounts:logout": "sign-out only takes a POST",
    "events:event_ics": "a calendar file",
    "events:feed": "a calendar feed",
    "events:manage_undo": "a POST from the manage page (a GET goes back to it)",
    "events:material_file": "a file download",
    "events:material_file_by_link": "a file download",
    "favicon": "an icon",
    "guidance_feed_atom": "a feed",
    "guidance_feed_rss": "a feed",
    "library:export": "a CSV or JSON download",
    "library:feed_atom": "a feed",
    "library:feed_rss": "a feed",
    "opportunities:undo_withdrawal": "a POST from the application's page (a GET goes back to it)",
    "payments:claim_decline": "a POST action from the claim page",
    "payments:claim_submit": "a POST action from the claim page",
    "payments:claim_withdraw": "a POST action from the claim page",
    "payments:expense_add": "a POST action from the claim page",
    "payments:expense_remove": "a POST action from the claim page",
    "payments:receipt_download": "a file download",
    "payments:statement_csv": "a CSV download",
    "payouts:stripe_refresh": "a redirect to Stripe",
    "payouts:stripe_return": "a redirect back from Stripe",
    "payouts:stripe_setup": "a POST that redirects to Stripe",
    "robots_txt": "plain text",
    "sitemap": "XML",
    "stripe_webhook": "Stripe's webhook",
    "wagtail_serve": "visited once per page type",
    "wagtailcore_authenticate_with_password": "a POST from the password form (the form itself is visited)",
    "wagtailcore_login": "Wagtail's redirect to the sign-in page",
    "wagtaildocs_authenticate_with_password": "a POST from a document's password form",
    "wagtaildocs_serve": "a file download",
    "web_manifest": "JSON",
}
API_PREFIXES = ("/admin/", "/django-admin/", "/api/")


@dataclass(frozen=True)
class Address:
    name: str
    url: str
    signed_in: bool


def seed_world():
    """The demo site plus long content and the objects the demo leaves out; returns the ids and
    signed links each address needs."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode
    from wagtail.models import Page, PageViewRestriction

    from accounts.models import User
    from events.models import EventPage, FeedbackInvitation, Registration
    from events.signing import make_manage_token
    from home.models import GuidancePage
    from library.models import LibraryPage, ResourcePage
    from opportunities.models import Application, OpportunityPage
    from opportunities.signing import make_manage_token as make_application_token
    from payments.models import InvolvementClaim
    from payouts.models import Payout

    call_command("load_demo_data", stdout=StringIO())
    contributor = User.objects.get(email=CONTRIBUTOR)

    resource = ResourcePage.objects.live().order_by("pk").first()
    resource.external_url = LONG_URL
    resource.author = LONG_WORD
    resource.summary = f"Read it at {LONG_URL} or ask {LONG_EMAIL}."
    resource.save()
    event = EventPage.objects.live().order_by("pk").first()
    event.contact_email = LONG_EMAIL
    event.venue_name = LONG_WORD
    event.save()
    opportunity = OpportunityPage.objects.live().order_by("pk").first()
    opportunity.contact_email = LONG_EMAIL
    opportunity.save()
    # A page an editor has put behind a password: visitors see the password form.
    restricted = GuidancePage.objects.live().order_by("-pk").first()
    PageViewRestriction.objects.get_or_create(
        page=restricted, restriction_type=PageViewRestriction.PASSWORD, defaults={"password": "demo"}
    )

    registrations = {}
    for registration in Registration.objects.select_related("event").order_by("pk"):
        registrations.setdefault(registration.status, registration)
    materials_event = next((e for e in EventPage.objects.live().order_by("pk") if e.has_materials), None)
    with_materials = Registration.objects.filter(event=materials_event, status="confirmed").first()
    # The contributor holds that place, so the signed-in materials page shows the materials.
    Registration.objects.filter(pk=with_materials.pk).update(user=contributor)
    applications = {}
    for application in Application.objects.order_by("pk"):
        applications.setdefault(application.status, application)
    claims = list(InvolvementClaim.objects.filter(contributor=contributor).order_by("pk"))
    return {
        "contributor": contributor,
        "long_pages": [resource, event, opportunity, restricted],
        "event": (materials_event or event).pk,
        "manage_tokens": [make_manage_token(r) for r in registrations.values()],
        "materials_token": make_manage_token(with_materials),
        "feedback_token": FeedbackInvitation.objects.order_by("pk").first().token,
        "application_tokens": [make_application_token(a) for a in applications.values()],
        "claims": [claim.pk for claim in claims],
        "payouts": list(Payout.objects.filter(contributor=contributor).values_list("pk", flat=True)),
        "library": LibraryPage.objects.live().first().pk,
        "reset": (
            urlsafe_base64_encode(force_bytes(contributor.pk)),
            default_token_generator.make_token(contributor),
        ),
        "pages": list(Page.objects.live().order_by("path").specific()),
    }


def _urls_for(name, world):
    """Every concrete address worth a visit for one named pattern (several for signed links and
    claims, so every status is seen)."""
    patterns = dict(url_patterns())[name]
    names, positional = parameters(patterns[0])
    if positional:
        return []
    namespace = name.rsplit(":", 1)[0] if ":" in name else ""
    if name == "accounts:password_reset_confirm":
        uid, token = world["reset"]
        return [reverse_or_none(name, kwargs={"uidb64": uid, "token": token})]
    if name in ("events:manage", "events:manage_cancel"):  # the place, and "Are you sure?" before cancelling
        return [reverse_or_none(name, kwargs={"token": token}) for token in world["manage_tokens"]]
    if name == "events:materials_by_link":
        return [reverse_or_none(name, kwargs={"token": world["materials_token"]})]
    if name == "events:feedback":
        return [reverse_or_none(name, kwargs={"token": world["feedback_token"]})]
    if name in ("opportunities:manage", "opportunities:withdraw"):
        return [reverse_or_none(name, kwargs={"token": token}) for token in world["application_tokens"]]
    if name in ("payments:claim_detail", "payments:claim_edit"):
        return [reverse_or_none(name, kwargs={"pk": pk}) for pk in world["claims"]]
    if name == "payouts:detail":
        return [reverse_or_none(name, kwargs={"pk": pk}) for pk in world["payouts"]]
    values = {"pk": world["event"] if namespace == "events" else None, "page_id": world["library"]}
    if not names:
        return [reverse_or_none(name)]
    if any(values.get(param) is None for param in names):
        return []
    return [reverse_or_none(name, kwargs={param: values[param] for param in names})]


def _in_admin_or_api(name, pattern):
    names, positional = parameters(pattern)
    for value in ("1", "x"):
        url = reverse_or_none(name, args=[value] * positional) if positional else None
        url = url or reverse_or_none(name, kwargs=dict.fromkeys(names, value))
        if url:
            return url.startswith(API_PREFIXES)
    # No value reverses it (Django admin's app list takes only its registered app labels).
    return name.startswith("admin:")


def page_addresses(world):
    """(addresses that answer with an HTML page, names outside the admin that gave none)."""
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(world["contributor"])
    found, unreached = [], []
    for name, patterns in url_patterns():
        if name in NOT_PAGES or _in_admin_or_api(name, patterns[0]):
            continue
        urls = [url for url in _urls_for(name, world) if url]
        if not urls:  # a pattern outside the admin whose parameters this module cannot fill in
            unreached.append(name)
            continue
        reached = False
        for url in urls:
            for client, is_signed_in in ((anonymous, False), (signed_in, True)):
                response = client.get(url)
                if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                    found.append(Address(name, url, is_signed_in))
                    reached = True
                    break
        if not reached:
            unreached.append(name)
    per_type = {}
    long_pks = {page.pk for page in world["long_pages"]}
    pages = sorted(world["pages"], key=lambda page: page.pk not in long_pks)
    for page in pages:
        if page.url and len(per_type.setdefault(type(page), [])) < PER_PAGE_TYPE:
            per_type[type(page)].append(page)
            found.append(Address(f"page:{type(page).__name__}", page.url, False))
    found.append(Address("404", "/no-such-page/", False))
    return found, unreached
