import json
from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home.demo import build_page_tree
from home.models import GuidanceIndexPage, GuidancePage, HomePage


class PageRulesTests(WagtailPageTestCase):
    def test_home_page_sits_at_the_root_only(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_guidance_index_lives_under_home(self):
        self.assertAllowedParentPageTypes(GuidanceIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(GuidanceIndexPage, {GuidancePage})

    def test_guidance_page_lives_under_the_index_and_has_no_children(self):
        self.assertAllowedParentPageTypes(GuidancePage, {GuidanceIndexPage})
        self.assertAllowedSubpageTypes(GuidancePage, set())

    def test_cannot_create_guidance_page_directly_under_home(self):
        self.assertCanNotCreateAt(HomePage, GuidancePage)


class GuidanceAdminCreationTests(WagtailPageTestCase):
    """An editor creates a guidance page through the admin with real blocks; what was saved is read back."""

    def setUp(self):
        from accounts.factories import UserFactory

        self.home, self.index, _ = build_page_tree()
        # Moderators may publish; Editors save drafts and submit them for moderation.
        self.editor = UserFactory(email="moderator-admin@example.org", groups=["Moderators"])
        self.client.force_login(self.editor)

    def test_editor_creates_guidance_page_with_blocks(self):
        body = streamfield(
            [
                ("heading", {"text": "Why power matters", "level": "h2"}),
                ("paragraph", rich_text("<p>Power is shared when decisions are.</p>")),
                (
                    "callout",
                    {"kind": "tip", "title": "Try this", "body": rich_text("<p>Rotate the chair.</p>")},
                ),
                (
                    "reflection",
                    {
                        "title": "Questions for reflection",
                        "introduction": rich_text(""),
                        "questions": streamfield([("item", "Where does my power come from?")]),
                    },
                ),
                (
                    "steps",
                    {
                        "title": "Steps",
                        "steps": streamfield(
                            [("item", {"title": "Meet as equals", "body": rich_text("<p>First.</p>")})]
                        ),
                    },
                ),
                ("quote", {"text": "Nothing about us without us.", "attribution": "Disability rights"}),
            ]
        )
        data = nested_form_data(
            {
                "title": "Sharing decisions",
                "slug": "sharing-decisions",
                "summary": "How to share decisions in a project.",
                "body": body,
                "accepts_feedback": "on",
                "feedback_introduction": "Tell us what you think.",
                "feedback_thank_you": "Thanks!",
            }
        )
        data["action-publish"] = "publish"
        self.assertCanCreate(self.index, GuidancePage, data)

        page = GuidancePage.objects.get(slug="sharing-decisions")
        assert page.live
        types = [block.block_type for block in page.body]
        assert types == ["heading", "paragraph", "callout", "reflection", "steps", "quote"]
        assert page.body[0].value["text"] == "Why power matters"
        assert "Power is shared" in page.body[1].value.source
        assert page.body[2].value["kind"] == "tip"
        assert list(page.body[3].value["questions"]) == ["Where does my power come from?"]
        assert page.body[4].value["steps"][0]["title"] == "Meet as equals"
        assert page.body[5].value["attribution"] == "Disability rights"
        assert page.accepts_feedback

        response = self.client.get(page.url)
        self.assertContains(response, 'id="why-power-matters"')
        self.assertContains(response, "Where does my power come from?")
        self.assertContains(response, "Rotate the chair.")

    def test_image_block_requires_alt_text_or_decorative(self):
        from wagtail.blocks.struct_block import StructBlockValidationError
        from wagtail.images.models import Image
        from wagtail.images.tests.utils import get_test_image_file

        from home.blocks import ImageBlock

        image = Image.objects.create(title="Workshop", file=get_test_image_file())
        block = ImageBlock()
        with pytest.raises(StructBlockValidationError):
            block.clean(
                block.to_python({"image": image.pk, "alt_text": "", "decorative": False, "caption": ""})
            )
        value = block.clean(
            block.to_python({"image": image.pk, "alt_text": "", "decorative": True, "caption": ""})
        )
        assert value["decorative"] is True


@pytest.mark.django_db
def test_load_demo_data_twice_then_every_page_answers(client):
    call_command("load_demo_data", stdout=StringIO())
    counts = Page.objects.count()
    call_command("load_demo_data", stdout=StringIO())
    assert Page.objects.count() == counts, "a second run must not duplicate pages"
    pages = Page.objects.live().filter(depth__gt=1).specific()
    assert pages.count() >= 5
    assert GuidancePage.objects.count() >= 3
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, f"{page.url} answered {response.status_code}"


@pytest.mark.django_db
def test_load_demo_data_prints_demo_credentials():
    from io import StringIO

    out = StringIO()
    call_command("load_demo_data", stdout=out)
    text = out.getvalue()
    for email in (
        "admin@example.org",
        "editor@example.org",
        "coordinator@example.org",
        "contributor@example.org",
    ):
        assert email in text
    from django.contrib.auth import authenticate

    assert authenticate(username="editor@example.org", password="co-produce-2026") is not None


@pytest.mark.django_db
def test_home_page_lists_guidance_and_contact_details(client):
    build_page_tree()
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sharing power in co-produced research" in html
    assert 'href="#main-content"' in html
    assert "0117 496 0000" in html and "PO Box 1234" in html
    assert '<nav class="site-nav" aria-label="Main">' in html


@pytest.mark.django_db
def test_featured_guidance_chosen_by_editors_is_shown_first(client):
    home, index, _ = build_page_tree()
    chosen = GuidancePage.objects.get(slug="reflecting-on-power")
    home.featured_guidance = json.dumps([{"type": "page", "value": chosen.pk}])
    home.save()
    assert [p.pk for p in home.get_featured_guidance()] == [chosen.pk]


@pytest.mark.django_db
def test_guidance_page_has_table_of_contents_and_print_styles(client):
    build_page_tree()
    response = client.get("/guidance/sharing-power/")
    html = response.content.decode()
    assert 'aria-labelledby="toc-heading"' in html
    assert 'href="#why-power-matters"' in html
    assert 'media="print"' in html


@pytest.mark.django_db
def test_guidance_index_paginates_and_ignores_bad_page_numbers(client):
    build_page_tree()
    assert client.get("/guidance/?page=abc").status_code == 200
    assert client.get("/guidance/?page=999").status_code == 200


@pytest.mark.django_db
def test_unknown_address_gets_the_site_404(client):
    build_page_tree()
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_server_error_page_renders_without_context(rf):
    from home.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


@pytest.mark.django_db
def test_navigation_menu_is_editor_controlled(client):
    from home.demo import add_menu_link
    from home.models import NavigationSettings

    home, index, _ = build_page_tree()
    page = GuidancePage.objects.get(slug="draft-manifesto")
    add_menu_link(page, label="Manifesto")
    add_menu_link(page, label="Manifesto")  # idempotent
    nav = NavigationSettings.for_site(home.get_site())
    labels = [item["label"] for item in nav.menu_items()]
    assert labels.count("Manifesto") == 1
    response = client.get("/guidance/draft-manifesto/")
    assert b'aria-current="page">Manifesto</a>' in response.content


@pytest.mark.django_db
def test_site_search_finds_guidance_and_handles_empty_and_long_queries(client):
    build_page_tree()
    response = client.get("/search/?q=reflecting")
    assert response.status_code == 200
    assert b"Questions for reflecting on power" in response.content
    assert client.get("/search/").status_code == 200
    assert client.get("/search/?q=" + "x" * 5000).status_code == 200
    assert client.get("/search/?q=power&page=zzz").status_code == 200
    response = client.get("/search/?q=nonexistentwordxyz")
    assert b"Nothing matched" in response.content


def test_users_use_email_as_login(user_factory):
    from django.contrib.auth import authenticate

    user = user_factory(email="Mixed.Case@Example.org")
    assert user.email == "mixed.case@example.org"
    assert authenticate(username="MIXED.case@example.org", password="correct horse battery staple") == user


def test_groups_exist_after_migrations(db):
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert {"Editors", "Moderators", "Coordinators", "Contributors"} <= names
    coordinators = Group.objects.get(name="Coordinators")
    assert coordinators.permissions.filter(codename="access_admin").exists()
    assert not Group.objects.get(name="Contributors").permissions.filter(codename="access_admin").exists()
