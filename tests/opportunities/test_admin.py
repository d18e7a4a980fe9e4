"""Coordinators' screens: who may see applications, decisions through the services, export with the
formula guard, monitoring counts only, and constant queries on the listing."""

import csv
import io

import pytest
from django.core import mail
from django.urls import reverse

from opportunities.models import Application, EqualityMonitoring

Status = Application.Status
pytestmark = pytest.mark.django_db


def urls(application):
    return [
        reverse("opportunities_admin:index"),
        reverse("opportunities_admin:application", args=[application.pk]),
        reverse("opportunities_admin:history", args=[application.pk]),
        reverse("opportunities_admin:monitoring"),
        reverse("opportunities_admin:index") + "?export=csv",
    ]


def test_anonymous_is_sent_to_sign_in(client, make_application):
    application = make_application()
    for url in urls(application):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url, url


@pytest.mark.parametrize("who", ["contributor", "editor"])
def test_contributors_and_editors_never_see_applications(client, make_application, who, request):
    application = make_application(access_needs="Private need")
    person = request.getfixturevalue(who)
    if who == "editor":
        person.is_staff = True
        person.save()
    client.force_login(person)
    for url in urls(application):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"Private need" not in response.content
    response = client.post(
        reverse("opportunities_admin:application", args=[application.pk]), {"action": "shortlisted"}
    )
    assert response.status_code in (302, 403)
    application.refresh_from_db()
    assert application.status == Status.RECEIVED


def test_editor_edits_opportunity_content_but_gets_no_applications_button(
    client, editor, superuser, opportunity, index
):
    applications = reverse("opportunities_admin:index") + f"?opportunity={opportunity.pk}"
    client.force_login(editor)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[opportunity.pk])).status_code == 200
    explorer = client.get(reverse("wagtailadmin_explore", args=[index.pk]))
    assert explorer.status_code == 200 and "Lived experience panel" in explorer.text
    assert applications not in explorer.text.replace("&amp;", "&")
    client.force_login(superuser)
    explorer = client.get(reverse("wagtailadmin_explore", args=[index.pk]))
    assert applications in explorer.text.replace("&amp;", "&")


def test_coordinator_lists_filters_and_decides(
    client, coordinator, make_application, django_capture_on_commit_callbacks
):
    application = make_application(access_needs="Large print")
    make_application(
        email="b@example.org", name="Ben Other", status=Status.NOT_SELECTED, coordinator=coordinator
    )
    client.force_login(coordinator)
    listing = client.get(reverse("opportunities_admin:index"), {"status": "received"})
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Amira Hassan" in html and "Ben Other" not in html
    detail_url = reverse("opportunities_admin:application", args=[application.pk])
    detail = client.get(detail_url).content.decode()
    assert "Large print" in detail and "Shortlist" in detail
    with django_capture_on_commit_callbacks(execute=True):
        for action in ("shortlisted", "offered", "accepted"):
            response = client.post(detail_url, {"action": action, "note": "ok"})
            assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED
    assert application.user.is_contributor
    subjects = [m.subject.split(":")[0] for m in mail.outbox]
    assert subjects[-3:] == ["You are on the shortlist", "We would like to offer you a place", "Welcome"]
    # A second "accept" (a double click) changes nothing.
    client.post(detail_url, {"action": "accepted"})
    assert application.user.involvements.count() == 1
    # A decision that is not open, or nonsense, is a message, not an error page.
    for action in ("shortlisted", "nonsense", ""):
        response = client.post(detail_url, {"action": action}, follow=True)
        assert response.status_code == 200
    assert client.get(reverse("opportunities_admin:application", args=[999999])).status_code == 404


def test_export_guards_formulas_and_is_never_cached(client, coordinator, make_application):
    make_application(name='=HYPERLINK("http://evil")', access_needs="+cmd|' /C calc'!A0")
    client.force_login(coordinator)
    response = client.get(reverse("opportunities_admin:index"), {"export": "csv"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["Opportunity", "Name", "Email"]
    assert rows[1][1].startswith("'=") and rows[1][8].startswith("'+")
    xlsx = client.get(reverse("opportunities_admin:index"), {"export": "xlsx"})
    assert xlsx.status_code == 200


def test_monitoring_shows_counts_only_with_small_numbers_hidden(
    client, coordinator, make_application, opportunity
):
    for n in range(6):
        make_application(
            email=f"p{n}@example.org", monitoring={"gender": "woman", "age_band": "65_plus" if n == 0 else ""}
        )
    assert EqualityMonitoring.objects.count() == 6
    client.force_login(coordinator)
    response = client.get(reverse("opportunities_admin:monitoring"), {"opportunity": opportunity.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<td>6</td>" in html  # six women
    assert "fewer than 5" in html  # one person aged 65 or over is not shown as 1
    assert "p0@example.org" not in html
    for bad in ("abc", "-1", "99999999999999999999999"):
        assert client.get(reverse("opportunities_admin:monitoring"), {"opportunity": bad}).status_code == 200


def test_listing_takes_constant_queries(
    client, coordinator, opportunity, index, django_assert_max_num_queries
):
    from opportunities.factories import OpportunityPageFactory

    client.force_login(coordinator)
    url = reverse("opportunities_admin:index")

    def add(n, page):
        start = Application.objects.count()
        Application.objects.bulk_create(
            Application(opportunity=page, name=f"Person {i}", email=f"x{i}@example.org")
            for i in range(start, start + n)
        )

    add(3, opportunity)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    second = OpportunityPageFactory(parent=index)
    add(60, second)
    add(40, opportunity)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_monitoring_counts_need_their_own_permission(client, user_factory, make_application):
    from django.contrib.auth.models import Group, Permission

    make_application(monitoring={"gender": "woman"})
    reader = user_factory(email="reader@example.org", is_staff=True)
    group = Group.objects.create(name="Application readers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(content_type__app_label="opportunities", codename="view_application"),
    )
    reader.groups.add(group)
    client.force_login(reader)
    assert client.get(reverse("opportunities_admin:index")).status_code == 200
    assert client.get(reverse("opportunities_admin:monitoring")).status_code in (302, 403)
