"""Suggest a resource: the public form, duplicates, files, the workflow, credit and e-mails."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import WorkflowState

from library.models import ResourcePage, ResourceSuggestion
from library.suggestions.normalise import normalise_title, normalise_url

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


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


def test_an_uploaded_pdf_is_kept_for_reviewers_only_until_published(client, library, moderator):
    upload = SimpleUploadedFile("guide.pdf", PDF, content_type="application/pdf")
    response = client.post(suggest_url(library), form_data(url="", file=upload))
    assert response.status_code == 302
    suggestion = ResourceSuggestion.objects.get()
    document = suggestion.document
    assert document.collection.name == "Suggested resources"
    assert client.get(document.url).status_code in (302, 403, 404)  # anonymous: refused
    state = WorkflowState.objects.get(object_id=str(suggestion.page.pk))
    task_state = state.current_task_state.specific
    task_state.task.specific.on_action(task_state, moderator, "approve")
    document.refresh_from_db()
    assert document.collection.is_root()
    assert client.get(document.url).status_code == 200


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
    stored = settings.MEDIA_ROOT / "documents"
    assert not stored.exists() or not any(stored.iterdir())
