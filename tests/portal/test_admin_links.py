"""Links to our objects from elsewhere in the admin: the site history report, each viewset's History
pages. Read-only viewsets (claims, payouts, payment runs, registrations, applications) have no edit view,
so their URL finders point at the view that shows one object (portal.admin_links); the default finder
looked up an edit view that does not exist and the site history report answered 500."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.viewsets import viewsets
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log

from accounts.models import User

PROJECT_APPS = ("accounts", "home", "library", "events", "payments", "payouts", "opportunities")
READ_ONLY = {
    "events.Registration": "events_admin:inspect",
    "payouts.Payout": "payouts_admin:inspect",
    "payouts.PaymentRun": "payment_runs:inspect",
    "opportunities.Application": "opportunities_admin:application",
    "payments.InvolvementClaim": "payments_claims:inspect",
}


def project_model_viewsets():
    reverse("wagtailadmin_home")  # building the admin's URLs registers the viewsets
    return [
        viewset
        for viewset in viewsets.viewsets
        if isinstance(viewset, ModelViewSet) and viewset.model._meta.app_label in PROJECT_APPS
    ]


def test_every_project_viewsets_url_finder_names_a_routed_view():
    found = {}
    for viewset in project_model_viewsets():
        url_name = viewset.url_finder_class.edit_url_name
        try:
            reverse(url_name, args=[1])
        except NoReverseMatch:
            pytest.fail(f"{viewset.model._meta.label}: its URL finder names {url_name}, which is not routed")
        found[viewset.model._meta.label] = url_name
    assert found.items() >= READ_ONLY.items()


@pytest.fixture
def demo(db):
    """The demo site, with a log entry for one object of every model a project viewset shows (the demo's
    services already logged registrations, applications, claims and payouts)."""
    from home.models import FeedbackSubmission, GuidancePage

    call_command("load_demo_data", stdout=StringIO())
    FeedbackSubmission.objects.create(
        page=GuidancePage.objects.order_by("pk").first(), comment="Clear, thank you", role="public"
    )
    logged = {}
    for viewset in project_model_viewsets():
        instance = viewset.model._default_manager.order_by("pk").first()
        assert instance is not None, f"the demo has no {viewset.model._meta.label}"
        log(instance=instance, action="wagtail.edit", user=User.objects.get(email="admin@example.org"))
        logged[viewset] = instance
    return logged


def test_site_history_and_each_viewsets_history_render_for_coordinator_and_admin(client, demo):
    from wagtail.models import ModelLogEntry

    for label in READ_ONLY:
        app_label, model = label.lower().split(".")
        assert ModelLogEntry.objects.filter(
            content_type__app_label=app_label, content_type__model=model
        ).exists(), label
    for email in ("coordinator@example.org", "admin@example.org"):
        user = User.objects.get(email=email)
        client.force_login(user)
        response = client.get(reverse("wagtailadmin_reports:site_history"))
        assert response.status_code == 200, email
        body = response.content.decode()
        finder = AdminURLFinder(user)
        for viewset, instance in demo.items():
            link = finder.get_edit_url(instance)
            if link is not None:
                assert client.get(link).status_code == 200, (email, link)
            if viewset.model._meta.label in READ_ONLY and link is not None:
                assert link == reverse(READ_ONLY[viewset.model._meta.label], args=[instance.pk])
                assert link in body, (email, link)
            try:
                history = reverse(viewset.get_url_name("history"), args=[instance.pk])
            except NoReverseMatch:
                continue
            # Those who may see the object see its history; others are turned away, never a 500.
            expected = (200,) if link is not None else (200, 302, 403)
            assert client.get(history).status_code in expected, (email, history)
        # Filtered to each read-only model, the report still renders (a page of that model's entries).
        for label in READ_ONLY:
            app_label, model = label.lower().split(".")
            content_type = ModelLogEntry.objects.filter(
                content_type__app_label=app_label, content_type__model=model
            ).values_list("content_type", flat=True)[0]
            filtered = client.get(reverse("wagtailadmin_reports:site_history"), {"object_type": content_type})
            assert filtered.status_code == 200, (email, label)


def test_the_site_history_report_is_staff_only(client, demo):
    url = reverse("wagtailadmin_reports:site_history")
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(User.objects.get(email="contributor@example.org"))
    assert client.get(url).status_code in (302, 403)
