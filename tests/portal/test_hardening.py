"""portal.hardening: upstream code that answered malformed input with a 500 now answers with the form."""

import datetime
from decimal import Decimal

import pytest

from payments.factories import build_policy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["x y", "\x00", "😀", "1e309", "99999999999999999999999999"])
def test_a_page_chooser_shown_again_with_a_value_that_is_no_id(client, superuser, value):
    version = build_policy(datetime.date(2024, 4, 1), Decimal("25.00"))
    client.force_login(superuser)
    response = client.post(f"/admin/payments_versions/edit/{version.pk}/", {"policy_page": value})
    assert response.status_code == 200
    assert b"The policy version could not be saved due to errors." in response.content


def test_the_chooser_still_finds_real_pages(home_page):
    from wagtail.admin.widgets import AdminPageChooser

    widget = AdminPageChooser()
    assert widget.get_instance(home_page.pk).pk == home_page.pk
    assert widget.get_instance(str(home_page.pk)).pk == home_page.pk
    assert widget.get_instance("not an id") is None
    assert widget.get_instance(None) is None


@pytest.mark.parametrize("ids", ["x", "99999999999999999999999999", "\x00", "1e309"])
def test_snippet_chooser_with_ids_that_cannot_exist(client, editor, ids):
    from library.factories import TopicFactory

    topic = TopicFactory(name="Ethics")
    client.force_login(editor)
    base = "/admin/snippets/choose/library/topic/"
    response = client.get(f"{base}chosen-multiple/", {"id": [ids, str(topic.pk)]})
    assert response.status_code == 200
    assert b"Ethics" in response.content
    assert client.get(f"{base}chosen/{ids.replace(chr(0), 'x')}/").status_code == 404
    assert client.get(f"{base}chosen/{topic.pk}/").status_code == 200


def test_the_tag_chooser_can_create_a_term(client, editor):
    from library.models import Topic

    client.force_login(editor)
    response = client.post(
        "/admin/snippets/choose/library/topic/create/", {"name": "Housing", "slug": "housing"}
    )
    assert response.status_code == 200
    assert Topic.objects.filter(slug="housing").exists()
    assert client.post("/admin/snippets/choose/library/topic/create/", {"name": "\x00"}).status_code == 200


def test_http_delete_cannot_bypass_the_admin_delete_confirmation(client, superuser):
    from payments.models import PaymentPolicy

    version = build_policy(datetime.date(2024, 4, 1), Decimal("25.00"))
    client.force_login(superuser)
    url = f"/admin/payments_policies/delete/{version.policy_id}/"
    assert client.delete(url).status_code == 405
    assert PaymentPolicy.objects.filter(pk=version.policy_id).exists()
    # The confirmation form still refuses a policy its versions depend on, with a page, not a 500.
    assert client.post(url).status_code in (302, 403)
    assert PaymentPolicy.objects.filter(pk=version.policy_id).exists()


def test_resource_api_with_an_id_past_64_bits(client, home_page):
    assert client.get("/api/v2/resources/9223372036854775808/").status_code == 404
    assert client.get("/events/9223372036854775808/event.ics").status_code == 404
    assert client.get("/library/9223372036854775808/export.csv").status_code == 404


@pytest.mark.parametrize("value", ["2025-13-45", "²", "x", "99999999999999999999"])
def test_pages_api_find_with_an_id_that_is_none(client, home_page, value):
    assert client.get("/api/v2/pages/find/", {"id": value}).status_code == 404
    assert client.get("/api/v2/resources/find/", {"id": value}).status_code == 404


def test_parse_id_takes_plain_digits_within_64_bits():
    from portal.http import parse_id

    assert parse_id("42") == 42 and parse_id(" 7 ") == 7
    for text in ["²", "٣", "-1", "1.0", "", "9223372036854775808", "1" * 30, "\x001"]:
        assert parse_id(text) is None, text


@pytest.mark.parametrize("value", ["99999999999999999999999999", "9223372036854775808"])
def test_a_page_choice_past_64_bits_is_an_invalid_choice(client, superuser, home_page, value):
    from home.models import FeedbackSubmission, GuidancePage

    feedback = FeedbackSubmission.objects.create(
        page=GuidancePage.objects.get(slug="draft-manifesto"), comment="A comment.", role="public"
    )
    client.force_login(superuser)
    response = client.post(f"/admin/feedback/edit/{feedback.pk}/", {"page": value, "comment": "Changed"})
    assert response.status_code == 200
    feedback.refresh_from_db()
    assert feedback.comment == "A comment."


@pytest.mark.parametrize("row_id", [None, "", "x", "99999999999999999999999999"])
def test_a_policy_version_post_with_forged_rows_shows_the_form(client, superuser, row_id):
    version = build_policy(datetime.date(2024, 4, 1), Decimal("25.00"))
    client.force_login(superuser)
    data = {
        "policy": version.policy_id,
        "effective_from": "2024-04-01",
        "expense_caps-TOTAL_FORMS": "1",
        "expense_caps-INITIAL_FORM_COUNT": "1",
        "expense_caps-0-category": "nonsense",
    }
    if row_id is not None:
        data["expense_caps-0-id"] = row_id
    for url, message in (
        (f"/admin/payments_versions/edit/{version.pk}/", b"could not be saved due to errors"),
        ("/admin/payments_versions/new/", b"could not be created due to errors"),
    ):
        response = client.post(url, data)
        assert response.status_code == 200, url
        assert message in response.content


@pytest.mark.parametrize("next_url", ["٣٤", "x", "javascript:alert(1)"])
def test_a_next_that_is_no_address_is_ignored(client, superuser, home_page, next_url):
    client.force_login(superuser)
    response = client.post(f"/admin/pages/{home_page.pk}/unlock/", {"next": next_url})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/")
    kept = client.post(f"/admin/pages/{home_page.pk}/unlock/", {"next": "/admin/pages/"})
    assert kept["Location"] == "/admin/pages/"


def test_the_external_link_chooser_without_a_url_says_it_is_required(client, editor):
    client.force_login(editor)
    response = client.post("/admin/choose-external-link/", {"link_text": "x"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()


@pytest.mark.parametrize("parent", [None, "x", "9999-12-31", "99999999999999999999", "999999999"])
def test_copying_a_page_to_a_parent_that_is_none_shows_the_form(client, superuser, guidance_index, parent):
    from home.models import GuidancePage

    page = GuidancePage.objects.child_of(guidance_index).first() or guidance_index
    client.force_login(superuser)
    data = {"new_title": "Copy", "new_slug": "copy-fuzz"}
    if parent is not None:
        data["new_parent_page"] = parent
    response = client.post(f"/admin/pages/{page.pk}/copy/", data)
    assert response.status_code == 200
    assert not type(page).objects.filter(slug="copy-fuzz").exists()


@pytest.mark.parametrize("count", [None, "x", "1"])
def test_a_stream_field_post_cut_short_is_read_as_no_blocks(count):
    from django.http import QueryDict
    from wagtail import blocks

    stream = blocks.StreamBlock([("paragraph", blocks.CharBlock())])
    data = QueryDict(mutable=True)
    if count is not None:
        data["body-count"] = count  # "1" without its block's keys
    assert list(stream.value_from_datadict(data, {}, "body")) == []
    data = QueryDict(mutable=True)
    data.update({"body-count": "1", "body-0-deleted": "", "body-0-type": "paragraph", "body-0-value": "Hi"})
    data["body-0-order"] = "0"
    assert [child.value for child in stream.value_from_datadict(data, {}, "body")] == ["Hi"]


@pytest.mark.parametrize("ids", ["9999-12-31", " ", "x"])
def test_chosen_multiple_views_drop_ids_that_are_none(client, superuser, home_page, ids):
    client.force_login(superuser)
    for url in ("/admin/choose-page/chosen-multiple/", "/admin/documents/chooser/chosen-multiple/"):
        response = client.get(url, {"id": [ids, str(home_page.pk)]})
        assert response.status_code == 200, url


def test_enabling_a_workflow_with_a_next_that_is_no_address(client, superuser):
    from wagtail.models import Workflow

    workflow = Workflow.objects.create(name="Fuzz", active=False)
    client.force_login(superuser)
    response = client.post(f"/admin/workflows/enable/{workflow.pk}/", {"next": "a b"})
    assert response.status_code == 302
    workflow.refresh_from_db()
    assert workflow.active


def test_a_redirect_import_confirmation_without_its_file_says_so(client, superuser):
    client.force_login(superuser)
    response = client.post("/admin/redirects/import/process/", {"from_index": "0", "to_index": "1"})
    assert response.status_code == 400  # Wagtail's "management form tampered with"
    from wagtail.contrib.redirects.forms import ConfirmImportManagementForm

    form = ConfirmImportManagementForm({"from_index": "0", "to_index": "1"})
    assert not form.is_valid()
    assert "The import was not found" in str(form.errors)


def test_an_int_route_past_64_bits_matches_nothing(client, superuser):
    client.force_login(superuser)
    assert client.post("/admin/workflows/remove/99999999999999999999/").status_code == 404


def test_reverting_to_revision_zero_is_not_found(client, superuser, home_page):
    client.force_login(superuser)
    assert client.get(f"/admin/pages/{home_page.pk}/revisions/0/revert/").status_code == 404
    assert client.post(f"/admin/pages/{home_page.pk}/revisions/0/revert/").status_code == 404


def test_the_admin_api_find_with_an_id_that_is_none(client, superuser):
    client.force_login(superuser)
    for value in ("9999-12-31", "99999999999999999999"):
        assert client.get("/admin/api/main/documents/find/", {"id": value}).status_code == 404


def test_merging_tags_without_choosing_any_says_so(client, superuser):
    client.force_login(superuser)
    response = client.post("/django-admin/taggit/tag/merge-tags/", {"new_tag_name": "merged"})
    assert response.status_code == 302


def test_the_admin_sign_in_with_a_next_that_is_no_address(client, superuser):
    client.force_login(superuser)
    response = client.get("/admin/login/", {"next": "%"})
    assert response.status_code == 302


def test_locking_the_tree_root_returns_to_the_root_listing(client, superuser, home_page):
    client.force_login(superuser)
    response = client.post(f"/admin/pages/{home_page.get_parent().pk}/lock/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/pages/"


@pytest.mark.parametrize("value", ["not json", "[]", '{"blocks": 5}'])
def test_a_rich_text_post_that_is_no_editor_json_is_read_as_empty(value):
    from django.http import QueryDict
    from wagtail.admin.rich_text.editors.draftail import DraftailRichTextArea

    data = QueryDict(mutable=True)
    data["body"] = value
    assert DraftailRichTextArea().value_from_datadict(data, {}, "body") == ""
