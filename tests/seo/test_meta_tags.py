"""Every public page has a description, a canonical address, Open Graph and Twitter card tags with an image,
and links to the feeds; other views get the site's description."""

import pytest
from lxml import html as lxml_html

from home.seo import trim

from .conftest import head_of


def head(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return lxml_html.fromstring(head_of(response) + "</head>")


def meta(tree, attribute, name):
    found = tree.xpath(f'//meta[@{attribute}="{name}"]/@content')
    assert len(found) == 1, f"{attribute}={name}: {found}"
    return found[0]


def canonical(tree):
    found = tree.xpath('//link[@rel="canonical"]/@href')
    assert len(found) == 1
    return found[0]


@pytest.fixture
def pages(home_page, guidance, resource, event, library):
    return {
        "home": home_page,
        "guidance index": guidance.get_parent().specific,
        "guidance": guidance,
        "library": library,
        "resource": resource,
        "event index": event.get_parent().specific,
        "event": event,
    }


def test_every_page_type_has_description_canonical_and_share_tags(client, pages):
    for kind, page in pages.items():
        tree = head(client, page.url)
        description = meta(tree, "name", "description")
        assert 0 < len(description) <= 160, kind
        url = page.get_full_url()
        assert canonical(tree) == url
        assert meta(tree, "property", "og:url") == url
        assert meta(tree, "property", "og:title") == page.title
        assert meta(tree, "property", "og:description") == description
        assert meta(tree, "property", "og:image").startswith("http://localhost/")
        assert meta(tree, "property", "og:site_name") == "Co-production Portal"
        assert meta(tree, "name", "twitter:card") == "summary_large_image"
        assert meta(tree, "name", "twitter:title") == page.title
        assert meta(tree, "name", "twitter:image") == meta(tree, "property", "og:image")


def test_description_is_the_editors_else_the_pages_own_summary_or_introduction(client, pages, guidance):
    description = meta(head(client, guidance.url), "name", "description")
    assert description == trim(guidance.summary)
    assert guidance.summary.startswith(description.removesuffix("…"))
    library = pages["library"]
    assert meta(head(client, library.url), "name", "description") == (
        "Toolkits, guides, papers and videos about co-producing research."
    )

    guidance.search_description = "What editors wrote for search engines."
    guidance.save_revision().publish()
    assert meta(head(client, guidance.url), "name", "description") == "What editors wrote for search engines."


def test_a_long_summary_is_trimmed_at_a_word(client, resource):
    resource.summary = "Co-production " * 40
    resource.save_revision().publish()
    description = meta(head(client, resource.url), "name", "description")
    assert len(description) <= 160
    assert description.endswith("Co-production…")


def test_a_page_with_nothing_to_say_takes_the_sites_description(client, home_page):
    from home.models import SiteSettings

    settings = SiteSettings.for_site(home_page.get_site())
    settings.site_description = "Research done with people, not to them."
    settings.save()
    home_page.introduction = ""
    home_page.save_revision().publish()
    assert meta(head(client, "/"), "name", "description") == "Research done with people, not to them."


def test_views_that_are_not_pages_have_a_description_and_their_own_canonical(client, home_page):
    tree = head(client, "/search/?q=power")
    assert meta(tree, "name", "description")
    assert canonical(tree) == "http://localhost/search/"


def test_a_filtered_library_view_is_canonically_the_library(client, library, topics):
    tree = head(client, library.url + "?topic=payment&page=2")
    assert canonical(tree) == library.get_full_url()


def test_share_image_is_the_pages_own_else_the_site_default_else_the_mark(client, home_page, guidance):
    from wagtail_factories import ImageFactory

    from home.models import SiteSettings

    tree = head(client, guidance.url)
    assert meta(tree, "property", "og:image") == "http://localhost/static/brand/share.png"
    assert meta(tree, "property", "og:image:width") == "1200"

    settings = SiteSettings.for_site(home_page.get_site())
    settings.default_share_image = ImageFactory(title="People around a table")
    settings.default_share_image_alt = "People around a table, talking"
    settings.save()
    tree = head(client, guidance.url)
    assert "/media/images/" in meta(tree, "property", "og:image")
    assert meta(tree, "property", "og:image:alt") == "People around a table, talking"

    own = ImageFactory(title="A workshop")
    guidance.body = [("image", {"image": own, "alt_text": "Post-it notes on a wall", "decorative": False})]
    guidance.save_revision().publish()
    tree = head(client, guidance.url)
    assert own.get_rendition("fill-1200x630").url in meta(tree, "property", "og:image")
    assert meta(tree, "property", "og:image:alt") == "Post-it notes on a wall"


def test_pages_link_their_feeds(client, library, guidance, topics):
    tree = head(client, guidance.url)
    feeds = {link.get("title"): link.get("href") for link in tree.xpath('//link[@rel="alternate"]')}
    assert feeds["New guidance (RSS)"] == "http://localhost/feeds/guidance.rss"
    assert feeds["New resources (RSS)"] == f"http://localhost/library/{library.pk}/feed.rss"

    tree = head(client, library.url + "?topic=payment&sort=title&page=2")
    hrefs = tree.xpath('//link[@rel="alternate"][@type="application/rss+xml"]/@href')
    assert f"http://localhost/library/{library.pk}/feed.rss?topic=payment" in hrefs


def test_not_found_is_not_indexed_and_has_no_canonical(client, home_page):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    tree = lxml_html.fromstring(head_of(response) + "</head>")
    assert meta(tree, "name", "robots") == "noindex"
    assert not tree.xpath('//link[@rel="canonical"]')


def test_addresses_come_from_the_site_not_the_host_header(client, guidance):
    response = client.get(guidance.url, HTTP_HOST="evil.example")
    tree = lxml_html.fromstring(head_of(response) + "</head>")
    assert canonical(tree) == guidance.get_full_url()
    assert "evil.example" not in lxml_html.tostring(tree).decode()


def test_a_signed_manage_page_is_not_indexed_and_describes_no_event(client, event):
    from django.urls import reverse

    from events.factories import RegistrationFactory
    from events.signing import make_manage_token

    registration = RegistrationFactory(event=event)
    response = client.get(reverse("events:manage", args=[make_manage_token(registration)]))
    assert response.status_code == 200
    tree = lxml_html.fromstring(head_of(response) + "</head>")
    assert meta(tree, "name", "robots") == "noindex"
    assert not tree.xpath('//link[@rel="canonical"]')
    assert not tree.xpath('//script[@type="application/ld+json"]')


def test_a_share_image_whose_file_is_gone_falls_back_to_the_mark(client, home_page, guidance):
    from wagtail_factories import ImageFactory

    from home.models import SiteSettings

    image = ImageFactory(title="Lost")
    image.file.storage.delete(image.file.name)
    settings = SiteSettings.for_site(home_page.get_site())
    settings.default_share_image = image
    settings.save()
    tree = head(client, guidance.url)
    assert meta(tree, "property", "og:image") == "http://localhost/static/brand/share.png"


def test_a_preview_of_a_page_not_yet_saved_still_renders(guidance_index, library):
    from home.models import GuidancePage
    from library.models import ResourcePage

    for parent, page in (
        (guidance_index, GuidancePage(title="Draft", slug="draft", summary="Not saved yet.")),
        (library, ResourcePage(title="Draft", slug="draft", summary="Not saved yet.")),
    ):
        # As Wagtail's "preview on add" does: the new page knows where it will go, but has no id.
        page.path, page.depth = parent.path + "0001", parent.depth + 1
        page.url_path = parent.url_path + "draft/"
        response = page.make_preview_request()
        assert response.status_code == 200
        assert b'<meta name="description" content="Not saved yet.">' in response.content
