"""The accessibility statement: a page an editor keeps, chosen in site settings and linked from every
page's footer while it is live."""

import pytest
from wagtail.models import Site

from home.factories import GuidancePageFactory
from home.models import SiteSettings

pytestmark = pytest.mark.django_db


def test_every_footer_links_the_accessibility_statement_once_chosen(client, guidance_index, no_page_cache):
    statement = GuidancePageFactory(
        parent=guidance_index, title="Accessibility statement", slug="accessibility"
    )
    other = GuidancePageFactory(parent=guidance_index, title="Taking part", slug="taking-part")
    assert "Accessibility statement</a>" not in client.get("/").content.decode()
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.accessibility_statement = statement
    settings.save()
    for url in ("/", other.url, "/search/"):
        page = client.get(url).content.decode()
        footer = page.split('<footer class="site-footer">', 1)[1]
        assert f'<a href="{statement.url}">Accessibility statement</a>' in footer, url
    statement.unpublish()
    footer = client.get(other.url).content.decode().split('<footer class="site-footer">', 1)[1]
    assert "Accessibility statement</a>" not in footer
