"""Course materials: only people with a confirmed place (manage link or account) and coordinators see
them; files live in private storage and are served only through the permission-checked views."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from events.factories import RegistrationFactory
from events.models import EventMaterialFile, Registration
from events.signing import make_manage_token
from tests.uploads import PDF

SECRET = "Read chapter two before the session"


@pytest.fixture
def course(event_factory):
    event = event_factory(
        title="Co-production training",
        materials=[("paragraph", f"<p>{SECRET}</p>")],
        materials_release="before",
    )
    event.save_revision().publish()
    material = EventMaterialFile(event=event, title="Course handbook")
    material.file.save("handbook.pdf", ContentFile(PDF), save=False)
    material.save()
    return event


@pytest.fixture
def attendee(course, user_factory):
    user = user_factory(email="attendee-account@example.org")
    return RegistrationFactory(event=course, email="attendee-account@example.org", user=user)


@pytest.fixture
def other_attendee(event_factory):
    """Someone with a confirmed place at a different event."""
    return RegistrationFactory(event=event_factory(title="Another event"))


def file_of(course):
    return EventMaterialFile.objects.get(event=course)


def test_the_file_is_in_private_storage_under_an_unguessable_name(course, settings):
    material = file_of(course)
    assert str(settings.PRIVATE_MEDIA_ROOT) in material.file.path
    assert str(settings.MEDIA_ROOT) not in material.file.path
    folder = material.file.name.split("/")[1]
    assert len(folder) == 32  # a random uuid4 hex per file
    with pytest.raises(ValueError):
        material.file.url  # noqa: B018 - private files have no public URL


def test_the_attendee_reaches_materials_and_file_through_the_manage_link(client, course, attendee):
    token = make_manage_token(attendee)
    manage = client.get(reverse("events:manage", args=[token])).content.decode()
    materials_url = reverse("events:materials_by_link", args=[token])
    assert materials_url in manage
    response = client.get(materials_url)
    assert response.status_code == 200
    assert SECRET in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    file_url = reverse("events:material_file_by_link", args=[token, file_of(course).pk])
    assert file_url in response.content.decode()
    download = client.get(file_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Cache-Control"] == "private, no-store"


def test_the_attendee_reaches_them_through_their_account(client, course, attendee):
    client.force_login(attendee.user)
    response = client.get(reverse("events:materials", args=[course.pk]))
    assert response.status_code == 200 and SECRET in response.content.decode()
    assert (
        client.get(reverse("events:material_file", args=[course.pk, file_of(course).pk])).status_code == 200
    )


def test_a_coordinator_sees_them_at_any_time(client, course, coordinator):
    client.force_login(coordinator)
    assert SECRET in client.get(reverse("events:materials", args=[course.pk])).content.decode()
    assert (
        client.get(reverse("events:material_file", args=[course.pk, file_of(course).pk])).status_code == 200
    )


@pytest.mark.parametrize("who", ["anonymous", "other_attendee_account", "contributor", "editor"])
def test_anyone_else_signed_in_or_not_is_refused(client, course, who, request, other_attendee):
    if who == "other_attendee_account":
        other_attendee.user = request.getfixturevalue("user_factory")(email=other_attendee.email)
        other_attendee.save()
        client.force_login(other_attendee.user)
    elif who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("events:materials", args=[course.pk]))
    assert page.status_code == 403
    assert SECRET not in page.content.decode()
    assert (
        client.get(reverse("events:material_file", args=[course.pk, file_of(course).pk])).status_code == 404
    )


def test_another_attendees_link_opens_nothing_of_this_event(client, course, other_attendee):
    token = make_manage_token(other_attendee)
    # Their own (other) event has no materials to show; this event's file is not reachable with it.
    assert (
        client.get(reverse("events:material_file_by_link", args=[token, file_of(course).pk])).status_code
        == 404
    )
    assert SECRET not in client.get(reverse("events:materials_by_link", args=[token])).content.decode()


@pytest.mark.parametrize("status", [Registration.Status.WAITING, Registration.Status.CANCELLED])
def test_a_place_that_is_not_confirmed_opens_nothing(client, course, status):
    registration = RegistrationFactory(event=course, status=status)
    token = make_manage_token(registration)
    assert client.get(reverse("events:materials_by_link", args=[token])).status_code == 404
    assert (
        client.get(reverse("events:material_file_by_link", args=[token, file_of(course).pk])).status_code
        == 404
    )


def test_tampered_or_made_up_links_are_404(client, course, attendee):
    token = make_manage_token(attendee)
    assert client.get(reverse("events:materials_by_link", args=[token[:-2] + "xx"])).status_code == 404
    assert (
        client.get(reverse("events:material_file_by_link", args=["nonsense", file_of(course).pk])).status_code
        == 404
    )
    assert client.get(reverse("events:material_file_by_link", args=[token, 99999999])).status_code == 404


def test_materials_released_after_the_event_wait_until_it_ends(client, course, attendee, coordinator):
    course.materials_release = "after"
    course.save()
    token = make_manage_token(attendee)
    page = client.get(reverse("events:materials_by_link", args=[token]))
    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    assert "will be here after it ends" in page.content.decode()
    assert (
        client.get(reverse("events:material_file_by_link", args=[token, file_of(course).pk])).status_code
        == 404
    )
    client.force_login(coordinator)
    assert SECRET in client.get(reverse("events:materials", args=[course.pk])).content.decode()
    client.logout()
    course.start = timezone.now() - timedelta(hours=3)
    course.end = timezone.now() - timedelta(hours=1)
    course.save()
    assert SECRET in client.get(reverse("events:materials_by_link", args=[token])).content.decode()


def test_a_material_file_must_be_an_allowed_type():
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from events.models.materials import validate_material_file

    with pytest.raises(ValidationError, match="not a PDF file"):
        validate_material_file(SimpleUploadedFile("x.pdf", b"<html></html>", content_type="application/pdf"))
    with pytest.raises(ValidationError, match="Upload the file as"):
        validate_material_file(SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream"))
    validate_material_file(SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf"))
