"""Suggest a resource: the public form, duplicates, files, the workflow, credit and e-mails."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import WorkflowState

from library.models import ResourcePage, ResourceSuggestion
from library.suggestions.normalise import normalise_title, normalise_url
from tests.uploads import PDF, pdf_bytes

pytestmark = pytest.mark.usefixtures("on_commit_now")


@pytest.fixture
def moderator(user_factory):
    return user_factory(email="moderator-test@example.org", groups=["Editors", "Moderators"])


def suggest_url(library):
    return reverse("library:suggest", args=[library.pk])


def form_data(**overrides):
    data = {
        "title": "Co-producing with care: a short guide",
        "url": "https://example.org/guides/co-producing-with-care",
        "why_useful": "It shows researchers how to plan paid involvement from the start.",
        "name": "Sam Rivers",
        "email": "sam@example.org",
        "credit": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def counts():
    return (ResourcePage.objects.count(), ResourceSuggestion.objects.count(), WorkflowState.objects.count())


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.Example.org/guide/", "http://example.org/guide"),
        ("https://example.org/guide?utm_source=x&id=3#top", "https://example.org/guide?id=3"),
    ],
)
def test_links_that_differ_only_in_what_readers_never_notice_are_the_same(a, b):
    assert normalise_url(a) == normalise_url(b)


def test_titles_compare_without_case_punctuation_or_spacing():
    assert normalise_title("  The Guide:  Co-production! ") == normalise_title("the guide co production")
    assert normalise_title("Guide one") != normalise_title("Guide two")


def test_the_form_is_linked_from_the_library_and_works_without_an_account(client, library):
    page = client.get(library.url)
    assert suggest_url(library) in page.content.decode()
    response = client.get(suggest_url(library))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_a_suggestion_becomes_a_draft_in_the_workflow_and_the_suggester_hears(client, library, taxonomy):
    data = form_data(resource_type=taxonomy["toolkit"].pk, topics=[taxonomy["ethics"].pk])
    response = client.post(suggest_url(library), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("library:suggested", args=[library.pk])
    suggestion = ResourceSuggestion.objects.get()
    page = suggestion.page
    assert not page.live and page.get_parent().pk == library.pk
    assert page.suggested_by == "Sam Rivers"
    assert page.resource_type == taxonomy["toolkit"]
    assert list(page.topics.all()) == [taxonomy["ethics"]]
    assert suggestion.status == ResourceSuggestion.Status.PENDING
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == "Community suggestions"
    assert [m.to for m in mail.outbox if "We have your suggestion" in m.subject] == [["sam@example.org"]]
    assert library.resources().count() == 0  # not public until approved


def test_no_credit_unless_asked(client, library):
    client.post(suggest_url(library), form_data(credit=None))
    assert ResourceSuggestion.objects.get().page.suggested_by == ""


def test_approving_publishes_credits_and_emails(client, library, moderator):
    client.post(suggest_url(library), form_data())
    suggestion = ResourceSuggestion.objects.get()
    state = WorkflowState.objects.get(object_id=str(suggestion.page.pk))
    mail.outbox.clear()
    task_state = state.current_task_state.specific
    task_state.task.specific.on_action(task_state, moderator, "approve")
    suggestion.refresh_from_db()
    page = suggestion.page.specific
    page.refresh_from_db()
    assert page.live
    assert suggestion.status == ResourceSuggestion.Status.PUBLISHED
    assert suggestion.decided_by == moderator
    assert [m.subject for m in mail.outbox] == [
        "Published in the library: Co-producing with care: a short guide"
    ]
    assert page.full_url in mail.outbox[0].body
    assert "Suggested by Sam Rivers" in mail.outbox[0].body
    shown = client.get(page.url).content.decode()
    assert "Suggested by" in shown and "Sam Rivers" in shown
    # Publishing again (an editor's later change) e-mails nobody.
    page.save_revision().publish()
    assert len(mail.outbox) == 1


def test_declining_records_the_reason_and_tells_the_suggester_once(client, library, moderator):
    client.post(suggest_url(library), form_data())
    suggestion = ResourceSuggestion.objects.get()
    state = WorkflowState.objects.get(object_id=str(suggestion.page.pk))
    mail.outbox.clear()
    task_state = state.current_task_state.specific
    actions = [
        name for name, _label, _modal in task_state.task.specific.get_actions(suggestion.page, moderator)
    ]
    assert actions == ["approve", "reject", "decline"]
    task_state.task.specific.on_action(task_state, moderator, "decline", comment="It is behind a paywall.")
    suggestion.refresh_from_db()
    state.refresh_from_db()
    assert suggestion.status == ResourceSuggestion.Status.DECLINED
    assert suggestion.decline_reason == "It is behind a paywall."
    assert state.status == WorkflowState.STATUS_CANCELLED
    assert not suggestion.page.live
    assert len(mail.outbox) == 1 and "behind a paywall" in mail.outbox[0].body


def test_asking_for_changes_keeps_it_pending_and_tells_the_suggester_nothing(client, library, moderator):
    client.post(suggest_url(library), form_data())
    suggestion = ResourceSuggestion.objects.get()
    state = WorkflowState.objects.get(object_id=str(suggestion.page.pk))
    mail.outbox.clear()
    task_state = state.current_task_state.specific
    task_state.task.specific.on_action(task_state, moderator, "reject", comment="Add a summary.")
    suggestion.refresh_from_db()
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert suggestion.status == ResourceSuggestion.Status.PENDING
    assert [m for m in mail.outbox if m.to == ["sam@example.org"]] == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"url": "http://www.example.org/guides/co-producing-with-care/?utm_source=newsletter"},
        {"title": "CO-PRODUCING WITH CARE — A SHORT GUIDE", "url": "https://other.example.org/x"},
    ],
)
def test_a_resource_already_in_the_library_is_detected_kindly(client, library, make_resource, overrides):
    existing = make_resource(
        title="Co-producing with care: a short guide",
        external_url="https://example.org/guides/co-producing-with-care",
    )
    before = counts()
    response = client.post(suggest_url(library), form_data(**overrides))
    assert response.status_code == 400
    body = response.content.decode()
    assert "the library already has this resource" in body
    assert existing.url in body
    assert counts() == before
    assert mail.outbox == []


def test_a_pending_suggestion_is_detected_too(client, library):
    client.post(suggest_url(library), form_data())
    before = counts()
    response = client.post(suggest_url(library), form_data(email="other@example.org"))
    assert response.status_code == 400
    assert "Someone has already suggested this resource" in response.content.decode()
    assert counts() == before


def test_an_uploaded_file_waits_privately_and_becomes_a_document_when_published(
    client, library, moderator, settings
):
    from wagtail.documents import get_document_model

    upload = SimpleUploadedFile("Sam Rivers private notes.pdf", PDF, content_type="application/pdf")
    response = client.post(suggest_url(library), form_data(url="", file=upload))
    assert response.status_code == 302
    suggestion = ResourceSuggestion.objects.get()
    # Waiting: in private storage under a generated name; no document, nothing in public MEDIA_ROOT.
    assert suggestion.document is None and suggestion.page.document is None
    assert get_document_model().objects.count() == 0
    pending = suggestion.pending_file
    assert pending.name.startswith("suggestions/") and pending.name.endswith(".pdf")
    assert "Sam" not in pending.name and "notes" not in pending.name
    assert str(settings.PRIVATE_MEDIA_ROOT) in pending.path
    assert not (settings.MEDIA_ROOT / "documents").exists()
    stored_at = pending.path
    # Reviewers download it from the suggestions admin; anonymous people and contributors cannot.
    file_url = reverse("suggestions:file", args=[suggestion.pk])
    assert client.get(file_url).status_code == 302  # to sign in
    client.force_login(moderator)
    download = client.get(file_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"] and "notes" not in download["Content-Disposition"]
    assert file_url in client.get(reverse("suggestions:inspect", args=[suggestion.pk])).content.decode()
    client.logout()
    # Published: a public document named after the resource, attached to the live page and its revision.
    state = WorkflowState.objects.get(object_id=str(suggestion.page.pk))
    task_state = state.current_task_state.specific
    task_state.task.specific.on_action(task_state, moderator, "approve")
    suggestion.refresh_from_db()
    page = ResourcePage.objects.get(pk=suggestion.page_id)
    document = suggestion.document
    assert page.live and page.document == document
    assert page.live_revision.as_object().document_id == document.pk
    assert document.collection.is_root()
    assert document.file.name == "documents/co-producing-with-care-a-short-guide.pdf"
    assert document.file.read() == PDF
    assert client.get(document.url).status_code == 200
    assert not suggestion.pending_file
    import os

    assert not os.path.exists(stored_at)


def test_a_declined_suggestions_file_is_deleted(client, library, moderator):
    import os

    from library.suggestions.services import decline_suggestion

    upload = SimpleUploadedFile("guide.pdf", PDF, content_type="application/pdf")
    client.post(suggest_url(library), form_data(url="", file=upload))
    suggestion = ResourceSuggestion.objects.get()
    stored_at = suggestion.pending_file.path
    decline_suggestion(suggestion.page, actor=moderator, reason="Out of scope for this library.")
    suggestion.refresh_from_db()
    assert suggestion.status == ResourceSuggestion.Status.DECLINED
    assert not suggestion.pending_file and suggestion.document is None
    assert not os.path.exists(stored_at)


def test_someone_who_may_not_see_suggestions_cannot_download_the_file(client, library, user_factory):
    upload = SimpleUploadedFile("guide.pdf", PDF, content_type="application/pdf")
    client.post(suggest_url(library), form_data(url="", file=upload))
    suggestion = ResourceSuggestion.objects.get()
    client.force_login(user_factory(email="coordinator-only@example.org", groups=["Coordinators"]))
    response = client.get(reverse("suggestions:file", args=[suggestion.pk]))
    assert response.status_code in (302, 403)
    assert not getattr(response, "streaming", False)


@pytest.mark.parametrize(
    "data",
    [
        PDF + b"\n<html><body><script>alert(1)</script></body></html>",
        pdf_bytes(javascript=True),
    ],
)
def test_a_polyglot_or_active_pdf_is_refused_with_a_clear_message(client, library, data, settings):
    upload = SimpleUploadedFile("guide.pdf", data, content_type="application/pdf")
    response = client.post(suggest_url(library), form_data(url="", file=upload))
    assert response.status_code == 400
    assert "cannot be accepted" in response.content.decode()
    assert not ResourceSuggestion.objects.exists()
    assert not (settings.PRIVATE_MEDIA_ROOT / "suggestions").exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("guide.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
            "Upload the file as",
        ),
        (
            SimpleUploadedFile(
                "guide.pdf", b"<html><script>alert(1)</script>", content_type="application/pdf"
            ),
            "not a PDF file",
        ),
        (
            SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf"),
            "smaller than 10 MB",
        ),
    ],
    ids=["wrong-type", "disguised", "too-big"],
)
def test_a_bad_file_gets_a_clear_message_and_nothing_is_saved(client, library, upload, message, settings):
    before = counts()
    response = client.post(suggest_url(library), form_data(url="", file=upload))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before
    assert not (settings.MEDIA_ROOT / "documents").exists() or not any(
        (settings.MEDIA_ROOT / "documents").iterdir()
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "x" * 300}, "at most 255 characters"),
        ({"why_useful": "y" * 3001}, "at most 3000 characters"),
        ({"url": "javascript:alert(1)"}, "starting with http:// or https://"),
        ({"url": ""}, "Give a link to the resource, or upload a file"),
        ({"title": "Nul\x00title"}, "unusual characters"),
        ({"email": "not-an-address"}, "valid email"),
        ({"topics": ["99999999999999999999999"]}, "Select a valid choice"),
    ],
)
def test_malformed_input_gets_a_clear_message_and_nothing_is_saved(client, library, overrides, message):
    before = counts()
    response = client.post(suggest_url(library), form_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before


def test_a_huge_body_is_refused_before_it_is_read(client, library):
    response = client.post(
        suggest_url(library),
        data=io.BytesIO(b"x"),
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert counts()[1] == 0


def test_honeypot_and_rate_limit(client, library, settings):
    response = client.post(suggest_url(library), form_data(website="http://spam.example"))
    assert response.status_code == 400
    assert ResourceSuggestion.objects.count() == 0
    settings.SUGGESTION_RATE_LIMIT = (2, 3600)
    for n in range(2):
        sent = client.post(
            suggest_url(library), form_data(title=f"Guide number {n}", url=f"https://x.org/{n}")
        )
        assert sent.status_code == 302
    response = client.post(suggest_url(library), form_data(title="Guide number three", url="https://x.org/3"))
    assert response.status_code == 400
    assert "several suggestions in a short time" in response.content.decode()


def test_the_report_lists_filters_and_exports_for_editors_only(client, library, editor, contributor):
    client.post(suggest_url(library), form_data())
    index = reverse("suggestions:index")
    client.force_login(contributor)
    assert client.get(index).status_code in (302, 403)
    client.force_login(editor)
    response = client.get(index + "?status=pending")
    assert response.status_code == 200
    assert "Co-producing with care" in response.content.decode()
    assert "Co-producing with care" not in client.get(index + "?status=declined").content.decode()
    export = client.get(index + "?export=csv")
    assert export.status_code == 200
    assert b"Sam Rivers" in b"".join(export.streaming_content)


def test_unknown_library_is_a_404(client, db):
    assert client.get(reverse("library:suggest", args=[999999])).status_code == 404


def test_a_failure_after_the_file_is_written_leaves_nothing_behind(library, monkeypatch, settings):
    from django.test import RequestFactory
    from wagtail.documents import get_document_model
    from wagtail.models import Workflow

    from library.forms import SuggestionForm
    from library.suggestions.services import suggest_resource

    def broken_start(self, obj, user):
        raise RuntimeError("the workflow could not start")

    monkeypatch.setattr(Workflow, "start", broken_start)
    upload = SimpleUploadedFile("guide.pdf", PDF, content_type="application/pdf")
    form = SuggestionForm(form_data(url=""), {"file": upload})
    assert form.is_valid(), form.errors
    before = counts()
    with pytest.raises(RuntimeError):
        suggest_resource(library, data=form.cleaned_data, request=RequestFactory().post("/"))
    assert counts() == before
    assert get_document_model().objects.count() == 0
    for stored in (settings.MEDIA_ROOT / "documents", settings.PRIVATE_MEDIA_ROOT / "suggestions"):
        assert not stored.exists() or not any(stored.iterdir())
