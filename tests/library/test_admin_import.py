"""Importing a resource list from the Wagtail admin (issue 22, item 5): upload, a dry run listing every
problem with its row, then confirm. The admin calls the importer service the command calls; only
people who may add and publish resources may use it (an import publishes: Editors submit for
moderation, so they may not); a bad file gives a clear message and writes nothing; the
confirmed file is the checked one, kept on the server."""

import re
import time
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from library import import_uploads
from library.models import ResourcePage

pytestmark = pytest.mark.django_db

URL = "/admin/library/import/"
GOOD_CSV = (
    "title,summary,type,topics,year,external_url\n"
    "Paying people fairly,What to pay and how,toolkit,ethics,2023,https://example.org/pay\n"
    "Planning a panel,How to run one,,,2021,\n"
)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def moderator(user_factory):
    return user_factory(email="moderator-test@example.org", groups=["Moderators"])


def upload(name, content):
    return SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)


def check(client, name, content):
    return client.post(URL, {"action": "check", "file": upload(name, content)})


def staged_files(private_media):
    folder = private_media / import_uploads.STAGE_DIR
    return sorted(folder.iterdir()) if folder.exists() else []


def test_anonymous_people_are_sent_to_sign_in(client, library):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    response = client.post(URL, {"action": "check", "file": upload("a.csv", GOOD_CSV)})
    assert response.status_code == 302
    assert not ResourcePage.objects.exists()


@pytest.mark.parametrize("who", ["contributor", "coordinator", "editor"])
def test_people_who_may_not_add_resources_are_refused(client, library, request, who, private_media):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code in (302, 403)
    response = client.post(URL, {"action": "check", "file": upload("a.csv", GOOD_CSV)})
    assert response.status_code in (302, 403)
    if response.status_code == 302:  # Wagtail turns a refusal into a redirect with a message
        assert response["Location"] in ("/admin/", f"/admin/login/?next={URL}")
    assert not ResourcePage.objects.exists()
    assert staged_files(private_media) == []


def test_the_menu_offers_the_import_only_to_those_who_may(client, library, moderator, editor):
    client.force_login(moderator)
    assert "Import resources" in client.get("/admin/").content.decode()
    client.force_login(editor)
    assert "Import resources" not in client.get("/admin/").content.decode()


@pytest.mark.parametrize("who", ["moderator", "superuser"])
def test_upload_dry_run_then_confirm_imports_once(client, library, taxonomy, request, who, private_media):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(URL).status_code == 200

    response = check(client, "resources.csv", GOOD_CSV)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 created, 0 updated, 0 unchanged, 0 rejected" in html
    assert "Line 2: Paying people fairly" in html
    assert "Import 2 resources" in html
    assert not ResourcePage.objects.exists()  # a dry run writes nothing
    assert len(staged_files(private_media)) == 1

    token = response.context["record"]["token"]
    response = client.post(URL, {"action": "confirm", "token": token})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{library.pk}/"
    assert sorted(ResourcePage.objects.child_of(library).values_list("title", flat=True)) == [
        "Paying people fairly",
        "Planning a panel",
    ]
    assert all(page.live for page in ResourcePage.objects.all())
    assert staged_files(private_media) == []

    # The same confirmation again does nothing (the upload is gone), and says so.
    response = client.post(URL, {"action": "confirm", "token": token}, follow=True)
    assert "no longer waiting to be imported" in response.content.decode()
    assert ResourcePage.objects.count() == 2


def test_reimporting_updates_with_the_moderator_as_author_of_the_revision(
    client, library, taxonomy, moderator
):
    client.force_login(moderator)
    token = check(client, "r.csv", GOOD_CSV).context["record"]["token"]
    client.post(URL, {"action": "confirm", "token": token})
    changed = GOOD_CSV.replace("What to pay and how", "What to pay and when to")
    response = check(client, "r.csv", changed)
    assert response.context["result"].summary() == "0 created, 1 updated, 1 unchanged, 0 rejected", (
        response.context["result"]
    )
    client.post(URL, {"action": "confirm", "token": response.context["record"]["token"]})
    page = ResourcePage.objects.get(title="Paying people fairly")
    assert page.summary == "What to pay and when to"
    assert page.latest_revision.user == moderator
    assert ResourcePage.objects.count() == 2


def test_every_problem_is_listed_with_its_row_and_nothing_can_be_confirmed(
    client, library, taxonomy, moderator, private_media
):
    client.force_login(moderator)
    content = (
        "title,year,external_url,type\n"
        "Fine resource,2020,,\n"
        ",2020,,\n"
        "Bad year,19999,,\n"
        "Bad link,2020,javascript:alert(1),\n"
        "Unknown type,2020,,spaceship\n"
    )
    response = check(client, "problems.csv", content)
    assert response.status_code == 200
    html = response.content.decode()
    rejected = response.context["result"].rejected
    assert [line for line, _reason in rejected] == [3, 4, 5, 6]
    for line in (3, 4, 5, 6):
        assert re.search(rf"<tr><td>{line}</td><td>[^<]+</td></tr>", html)
    assert "4 records cannot be imported, so nothing will be" in html
    assert 'value="confirm"' not in html
    assert staged_files(private_media) == []
    assert not ResourcePage.objects.exists()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("latin1.csv", "title,summary\nCaf\xe9 culture,x\n".encode("latin-1"), "is not UTF-8 text"),
        ("columns.csv", "name,summary\nA thing,x\n", "The CSV header has no 'title' column"),
        ("broken.json", '[{"title": "A"', "not valid JSON"),
        ("sheet.xlsx", b"PK\x03\x04 not really", "Spreadsheet files cannot be read directly"),
        ("report.pdf", b"%PDF-1.4", "upload a .csv, .json or .txt file"),
        ("empty.csv", b"", "is empty"),
        ("header-only.csv", "title,summary\n", "The file holds no resources"),
    ],
)
def test_a_bad_file_gets_a_clear_message_and_writes_nothing(
    client, library, moderator, private_media, name, content, message
):
    client.force_login(moderator)
    response = check(client, name, content)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert message in html
    assert "<title>Error: Import resources" in html
    assert 'aria-invalid="true"' in html
    assert "/private" not in html  # messages name the upload, not where the server keeps it
    assert not ResourcePage.objects.exists()
    assert staged_files(private_media) == []


def test_a_huge_file_is_refused_before_it_is_read(client, library, moderator, settings, monkeypatch):
    monkeypatch.setattr(import_uploads, "MAX_UPLOAD_BYTES", 1000)
    client.force_login(moderator)
    response = check(client, "big.csv", "title\n" + "A resource title\n" * 200)
    assert response.status_code == 400
    assert "a resource list can be up to" in response.content.decode()
    assert not ResourcePage.objects.exists()


def test_the_confirmed_file_must_be_the_checked_one(client, library, taxonomy, moderator, private_media):
    client.force_login(moderator)
    response = check(client, "r.csv", GOOD_CSV)
    token = response.context["record"]["token"]
    stored = staged_files(private_media)[0]
    stored.write_text("title\nSomething else entirely\n", encoding="utf-8")

    response = client.post(URL, {"action": "confirm", "token": token}, follow=True)
    assert "no longer on the server as it was" in response.content.decode()
    assert not ResourcePage.objects.exists()
    assert staged_files(private_media) == []


def test_a_made_up_token_or_another_users_upload_imports_nothing(
    client, library, taxonomy, moderator, user_factory
):
    client.force_login(moderator)
    check(client, "r.csv", GOOD_CSV)
    response = client.post(URL, {"action": "confirm", "token": "../../etc/passwd"}, follow=True)
    assert "no longer waiting to be imported" in response.content.decode()

    other = user_factory(email="moderator-two@example.org", groups=["Moderators"])
    other_client = client.__class__()
    other_client.force_login(other)
    token = client.session[import_uploads.SESSION_KEY]["token"]
    response = other_client.post(URL, {"action": "confirm", "token": token}, follow=True)
    assert "no longer waiting to be imported" in response.content.decode()
    assert not ResourcePage.objects.exists()


def test_an_old_check_must_be_done_again(client, library, taxonomy, moderator, monkeypatch):
    client.force_login(moderator)
    token = check(client, "r.csv", GOOD_CSV).context["record"]["token"]
    later = time.time() + import_uploads.STAGED_FOR + 1
    monkeypatch.setattr(import_uploads.time, "time", lambda: later)
    response = client.post(URL, {"action": "confirm", "token": token}, follow=True)
    assert "more than an hour ago" in response.content.decode()
    assert not ResourcePage.objects.exists()


def test_cancel_discards_the_upload(client, library, taxonomy, moderator, private_media):
    client.force_login(moderator)
    token = check(client, "r.csv", GOOD_CSV).context["record"]["token"]
    response = client.post(URL, {"action": "cancel", "token": token}, follow=True)
    assert "nothing was imported" in response.content.decode()
    assert staged_files(private_media) == []
    assert not ResourcePage.objects.exists()


def test_the_command_and_the_admin_share_one_service():
    from library import admin_views
    from library.importer import import_resources
    from library.management.commands import import_resources as command

    assert admin_views.import_resources is import_resources
    assert command.import_resources is import_resources
