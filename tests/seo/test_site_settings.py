"""Editors set the site's description and default share image in Settings → Site settings."""

from django.urls import reverse


def test_site_settings_offer_the_description_and_share_image(client, superuser, home_page):
    client.force_login(superuser)
    site = home_page.get_site()
    response = client.get(reverse("wagtailsettings:edit", args=["home", "sitesettings", site.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="site_description"' in html
    assert 'name="default_share_image"' in html
    assert 'name="default_share_image_alt"' in html
    assert "Search engines and shared links" in html


def test_site_settings_are_not_for_anonymous_visitors(client, home_page):
    site = home_page.get_site()
    response = client.get(reverse("wagtailsettings:edit", args=["home", "sitesettings", site.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
