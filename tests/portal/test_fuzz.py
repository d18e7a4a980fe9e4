"""The fuzz test: every URL pattern and page type, as anonymous and as each role, with hostile query
strings, hostile form posts and wrong methods. Any 5xx fails the test, listing each request with the
exception it raised.

Deterministic and sampled: one seeded generator decides every value, so a failure replays exactly,
and each address gets a few hostile requests per role rather than every combination. The project's
own addresses are all visited by every role; Wagtail's and Django's own admin addresses (which
still serve our models and page types) are sampled. Runs on SQLite and PostgreSQL.
"""

import os
import random
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from .fuzzing import (
    COMMON_PARAMS,
    WRONG_METHODS,
    Runner,
    hostile_form,
    hostile_query,
    parameters,
    reverse_or_none,
    url_patterns,
    webhook_event,
)
from .fuzzing import reverse_or_none as reverse

SEED = int(os.environ.get("FUZZ_SEED", "20260110"))
ROLES = ["anonymous", "contributor", "editor", "coordinator", "superuser"]
PROJECT_NAMESPACES = (
    "accounts",
    "events",
    "events_admin",
    "feedback",
    "library",
    "opportunities",
    "opportunities_admin",
    "payments",
    "payouts",
    "payouts_admin",
    "resources",
    "wagtailapi",
    "wagtailsnippets_library",
    "wagtailsnippetchoosers_library",
)
PROJECT_NAMES = {"search", "stripe_webhook", "wagtail_serve", "library_import"}
# Share of Wagtail's and Django's own admin addresses visited by each role (FUZZ_CORE_SAMPLE=1 to visit
# them all, locally).
CORE_SAMPLE = float(os.environ.get("FUZZ_CORE_SAMPLE", "0.25"))
WEBHOOK_SECRET = "whsec_fuzz"
# Never visited: Wagtail's deliberate error page, which exists to raise.
SKIPPED = {"wagtailadmin_error_test"}
# Every 5xx fails the test, except a fault of Wagtail's own admin at one of Wagtail's own addresses that
# is reported on Wagtail's tracker: such a fault is listed here, keyed by (URL name, exception type), with
# the report's address, and printed rather than failed while the report is open. A 5xx at an address of
# a viewset or view the project configures (its namespaces, its viewsets, its view code, its page types)
# is always the project's own, whatever code raised it: the project fixes it (portal.hardening for a
# Wagtail fault reaching our addresses). Nothing may be listed without a report's address.
UPSTREAM = {
    # `?p=` that is no page number on a workflow's edit page (int() of it).
    ("wagtailadmin_workflows:edit", "ValueError"): "https://github.com/wagtail/wagtail/issues/14386",
}


def is_upstream(name, kind):
    """A fault reported on Wagtail's tracker, at one of Wagtail's own addresses."""
    return not is_project(name) and UPSTREAM.get((name, kind), "").startswith("https://github.com/wagtail/")


def is_project(name):
    """An address the project configures: one of its namespaces or names, a viewset it registers, a
    view defined in its code, or one of its pages."""
    namespace = name.rsplit(":", 1)[0] if ":" in name else ""
    return (
        name.startswith("page:")
        or name in PROJECT_NAMES
        or namespace.startswith(PROJECT_NAMESPACES)
        or namespace.startswith("payments_")
        or name in project_configured()
    )


def project_configured():
    """URL names of the viewsets the project registers and of the views its code defines."""
    if not _configured:
        from wagtail.admin.viewsets import viewsets

        apps = ("accounts", "home", "library", "events", "payments", "payouts", "opportunities", "portal")
        reverse_or_none("wagtailadmin_home")  # the admin's URLs register the viewsets
        namespaces = {
            viewset.name for viewset in viewsets.viewsets if type(viewset).__module__.startswith(apps)
        }
        for name, patterns in url_patterns():
            callback = patterns[0].callback
            view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
            namespace = name.rsplit(":", 1)[0] if ":" in name else ""
            if namespace in namespaces or getattr(view, "__module__", "").startswith(apps):
                _configured.add(name)
    return _configured


_configured = set()


@pytest.fixture
def world(db, settings):
    """The demo site, plus the few objects the demo lacks, with the ids each address needs."""
    from accounts.models import User
    from events.models import EventPage, Registration
    from events.signing import make_manage_token
    from home.models import FeedbackSubmission, GuidancePage
    from library.models import Audience, ResourcePage, ResourceType, Topic
    from opportunities.models import Application
    from opportunities.signing import make_manage_token as make_application_token
    from payments.models import (
        ClaimExpense,
        ContributorProfile,
        Involvement,
        InvolvementClaim,
        PaymentPolicy,
        PolicyVersion,
    )
    from payouts.models import PaymentRun, Payout

    call_command("load_demo_data", stdout=StringIO())
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    users = {role: User.objects.get(email=f"{role}@example.org") for role in ROLES[1:4]}
    users["superuser"] = User.objects.get(email="admin@example.org")
    contributor = users["contributor"]
    draft = InvolvementClaim.objects.filter(contributor=contributor, status="draft").first()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from payments import expenses

    expenses.add_expense(
        draft,
        actor=contributor,
        data={"category": "travel", "amount": 5, "receipt": SimpleUploadedFile("t.pdf", b"%PDF-1.4 x")},
    )
    FeedbackSubmission.objects.create(
        page=GuidancePage.objects.get(slug="draft-manifesto"), comment="=1+1 fuzz", role="public"
    )
    pages = {}
    from wagtail.models import Page

    for page in Page.objects.order_by("path").specific():
        pages.setdefault(type(page), page)
    event = EventPage.objects.filter(registrations__isnull=False).order_by("pk").first()
    registration = Registration.objects.filter(event=event).order_by("pk").first()
    ids = {
        "payments_claims": InvolvementClaim.objects.order_by("pk").first().pk,
        "payments_policies": PaymentPolicy.objects.order_by("pk").first().pk,
        "payments_versions": PolicyVersion.objects.order_by("pk").first().pk,
        "payments_contributors": ContributorProfile.objects.order_by("pk").first().pk,
        "feedback": FeedbackSubmission.objects.order_by("pk").first().pk,
        "wagtailsnippets_library_resourcetype": ResourceType.objects.order_by("pk").first().pk,
        "wagtailsnippets_library_topic": Topic.objects.order_by("pk").first().pk,
        "wagtailsnippets_library_audience": Audience.objects.order_by("pk").first().pk,
        "wagtailusers_users": contributor.pk,
        "wagtailusers_groups": Group.objects.order_by("pk").first().pk,
        "payouts_admin": Payout.objects.order_by("pk").first().pk,
        "payouts": (Payout.objects.filter(contributor=contributor).first() or Payout.objects.first()).pk,
        "run": PaymentRun.objects.order_by("pk").first().pk,
        "claim": draft.pk,
        "expense": ClaimExpense.objects.get(claim=draft).pk,
        "event": event.pk,
        "registration": registration.pk,
        "resource": ResourcePage.objects.order_by("pk").first().pk,
        "token": make_manage_token(registration),
        "opportunities_admin": Application.objects.order_by("pk").first().pk,
        "payments_involvements": Involvement.objects.order_by("pk").first().pk,
        "application_token": make_application_token(
            Application.objects.filter(status="offered").order_by("pk").first()
        ),
    }
    return {"users": users, "pages": list(pages.values()), "ids": ids}


def value_for(name, param, world, rng):
    """A value for one URL parameter: mostly a real object's id, sometimes one that does not exist."""
    ids, pages = world["ids"], world["pages"]
    namespace = name.rsplit(":", 1)[0]
    page = rng.choice(pages)
    if rng.random() < 0.15:
        return rng.choice(["0", "999999999", str(2**63), str(10**25)])
    if param in ("page_id", "parent_page_id", "page_to_move_id", "destination_id", "page_pk"):
        return page.pk
    if param == "pk" and namespace in ("wagtailadmin_pages", "wagtailadmin_api:pages", "wagtailapi:pages"):
        return page.pk
    if param in ("content_type_app_name", "app_label", "app_name"):
        return page._meta.app_label
    if param in ("content_type_model_name", "model_name"):
        return page._meta.model_name
    if param == "event_id" or (namespace == "events" and param == "pk"):
        return ids["event"]
    if param == "registration_id":
        return ids["registration"]
    if param == "token":
        token = ids["application_token"] if namespace == "opportunities" else ids["token"]
        return rng.choice([token, "garbage", token[:-2] + "xx"])
    if param == "fmt":
        return rng.choice(["csv", "xlsx", "json", "pdf"])
    if param in ("revision_id_a", "revision_id_b"):
        return rng.choice(["earliest", "live", "latest", "1"])
    if param in ("action", "action_name"):
        return rng.choice(["delete", "publish", "approve", "x"])
    if param == "filter_spec":
        return rng.choice(["fill-10x10", "garbage", "width-99999999"])
    if namespace == "payments":
        return ids["expense"] if "expense" in name or "receipt" in name else ids["claim"]
    if namespace == "payouts_admin" and "run" in name:
        return ids["run"]
    if namespace == "wagtailapi:resources":
        return ids["resource"]
    for key in ids:
        if namespace.startswith(key):
            return ids[key]
    return 1


def addresses(world, rng, role):
    """One concrete address per URL pattern (those this role visits), plus every page type's page."""
    found = []
    for name, patterns in url_patterns():
        if name in SKIPPED or (not is_project(name) and rng.random() > CORE_SAMPLE):
            continue
        if name == "wagtail_serve":
            continue  # visited below, once per page type
        names, positional = parameters(patterns[0])
        kwargs = {param: value_for(name, param, world, rng) for param in names}
        url = reverse(name, kwargs=kwargs) if not positional else reverse(name, args=[1] * positional)
        if url is None and kwargs:  # a value the converter refuses: use real ones only
            kwargs = {param: value_for(name, param, world, random.Random(SEED)) for param in names}
            url = reverse(name, kwargs=kwargs)
        if url is not None:
            found.append((name, url))
    for page in world["pages"]:
        if page.url:
            found.append((f"page:{type(page).__name__}", page.url))
    return found


def visit(runner, rng, role, name, url):
    """A hostile GET; a hostile POST built from the forms it showed; sometimes a wrong method."""
    label = f"{role} {name}"
    response = runner.send(label, "get", f"{url}?{hostile_query(rng, COMMON_PARAMS)}", name=name)
    html = ""
    if response is not None and "html" in response.get("Content-Type", ""):
        html = response.content.decode(errors="replace")
    extra_names = COMMON_PARAMS[:: rng.randint(3, 7)]
    runner.send(label, "post", url, hostile_form(rng, html, extra_names=extra_names), name=name)
    if rng.random() < 0.3:
        runner.send(label, rng.choice(WRONG_METHODS), url, name=name)


def test_no_address_answers_hostile_input_with_a_server_error(world):
    from tests.payouts.fake_stripe import sign_payload

    rng = random.Random(SEED)
    failures, visited, total = [], set(), 0
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            client.force_login(world["users"][role])
        runner = Runner(client)
        runner.keep_session()
        try:
            for name, url in addresses(world, rng, role):
                visited.add(name)
                visit(runner, rng, role, name, url)
            if role == "anonymous":
                for _ in range(30):
                    payload = webhook_event(rng)
                    runner.send(
                        "webhook",
                        "post",
                        "/stripe/webhook/",
                        payload,
                        content_type="application/json",
                        HTTP_STRIPE_SIGNATURE=sign_payload(payload, WEBHOOK_SECRET),
                        name="stripe_webhook",
                    )
        finally:
            runner.close()
        failures += runner.failures
        total += runner.count
    project = {name for name, _ in url_patterns() if is_project(name)} - {"wagtail_serve"}
    assert project <= visited, f"project addresses never visited: {sorted(project - visited)}"
    assert {name for name in visited if name.startswith("page:")} >= {
        f"page:{type(page).__name__}" for page in world["pages"] if page.url
    }
    assert total > 1000
    upstream = {(name, kind) for _text, name, kind, _ours, _url in failures if is_upstream(name, kind)}
    ours = [text for text, name, kind, _ours, _url in failures if not is_upstream(name, kind)]
    if upstream:
        print(
            "Wagtail's own admin gave a 500 (reported upstream):",
            [(*k, UPSTREAM[k]) for k in sorted(upstream)],
        )
    assert not ours, f"{len(ours)} of {total} requests gave a server error:\n\n" + "\n\n".join(
        ours[: int(os.environ.get("FUZZ_SHOW", "25"))]
    )
