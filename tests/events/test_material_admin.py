"""Editing an event that has a course-material file: the file is private (no public URL), so the admin's
form shows its name and a staff-only download link instead of asking the file for its URL (which
answered 500: "Private files have no public URL")."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.urls import reverse

from events.models import EventMaterialFile

CONTENT = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def course(event_factory):
    event = event_factory(title="Co-production training")
    event.save_revision().publish()
    material = EventMaterialFile(event=event, title="Course handbook")
    material.file.save("handbook.pdf", ContentFile(CONTENT), save=False)
    material.save()
    return event


def download_url(course):
    return reverse("events_admin:material_download", args=[EventMaterialFile.objects.get(event=course).pk])


@pytest.mark.parametrize("who", ["superuser", "editor"])
def test_the_edit_form_shows_the_private_file_with_a_staff_download_link(client, course, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("wagtailadmin_pages:edit", args=[course.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="{download_url(course)}"' in body
    assert ">handbook.pdf</a>" in body
    assert "staff only" in body


@pytest.mark.parametrize("who", ["superuser", "editor", "coordinator"])
def test_staff_who_edit_events_or_coordinate_download_the_file(client, course, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(download_url(course))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]


def test_others_cannot_download_it(client, course, user_factory):
    url = download_url(course)
    assert client.get(url).status_code == 302  # anonymous: to sign in
    # Admin access alone (neither editing the event nor coordinating) is not enough.
    group = Group.objects.create(name="Admin access only")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    # Wagtail's admin answers a refusal with a message and a redirect to the dashboard.
    client.force_login(user_factory(email="viewer@example.org", groups=["Admin access only"]))
    refused = client.get(url)
    assert (refused.status_code, refused["Location"]) == (302, reverse("wagtailadmin_home"))
    client.force_login(user_factory(email="nobody@example.org"))
    refused = client.get(url)
    assert refused.status_code in (302, 403)
    assert not getattr(refused, "streaming", False)


def test_an_unknown_or_missing_file_is_404(client, course, superuser):
    client.force_login(superuser)
    assert client.get(reverse("events_admin:material_download", args=[999999])).status_code == 404
    material = EventMaterialFile.objects.get(event=course)
    material.file.delete(save=False)
    EventMaterialFile.objects.filter(pk=material.pk).update(file="event-materials/gone/handbook.pdf")
    assert client.get(download_url(course)).status_code == 404


def test_the_widget_names_an_unsaved_file_without_a_link():
    from portal.widgets import PrivateFileInput

    material = EventMaterialFile(title="Draft handbook")
    material.file.name = "event-materials/abc/handbook.pdf"
    from events.models.materials import material_download_url

    html = PrivateFileInput(download_url=material_download_url).render("file", material.file)
    assert "handbook.pdf (stored privately)" in html
    assert "href" not in html
    assert '<input type="file" name="file"' in html
