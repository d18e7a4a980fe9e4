"""The favicon set, app icons and share image all come from one drawing (home/brand.py) in the site's
colours; the manifest lists them; they are served, with long cache headers once versioned."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.templatetags.static import static
from PIL import Image, ImageChops

from home import brand

BRAND_DIR = Path(settings.BASE_DIR) / "static" / "brand"


def rgb(colour):
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))


def close(pixel, colour, tolerance=12):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], rgb(colour), strict=True))


def test_committed_svg_is_the_drawing():
    assert (BRAND_DIR / "icon.svg").read_text() == brand.svg()


@pytest.mark.parametrize("name, spec", brand.PNG_ICONS.items())
def test_committed_pngs_are_the_drawing_at_each_size(name, spec):
    size, maskable = spec
    committed = Image.open(BRAND_DIR / name).convert("RGBA")
    assert committed.size == (size, size)
    drawn = brand.draw_mark(size, maskable)
    # The same picture: every pixel within a small rounding difference of a fresh drawing.
    extremes = ImageChops.difference(committed, drawn).getextrema()
    assert max(high for _low, high in extremes) <= 2
    middle = committed.getpixel((size // 2, size // 10))
    assert close(middle, brand.BRAND)
    corner = committed.getpixel((0, 0))
    assert (corner[3] == 255) if maskable else (corner[3] == 0)


def test_favicon_holds_the_small_sizes():
    icon = Image.open(BRAND_DIR / "favicon.ico")
    assert icon.format == "ICO"
    assert set(icon.info["sizes"]) == set(brand.FAVICON_SIZES)


def test_share_image_is_wide_and_in_the_site_colours():
    image = Image.open(BRAND_DIR / "share.png").convert("RGB")
    assert image.size == brand.SHARE_SIZE
    assert close(image.getpixel((5, 5)), brand.BRAND)


def test_make_brand_icons_writes_the_same_files(tmp_path):
    from django.core.management import call_command

    call_command("make_brand_icons", output=str(tmp_path), name="Co-production Portal", stdout=io.StringIO())
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == sorted(path.name for path in BRAND_DIR.iterdir())
    assert (tmp_path / "icon.svg").read_text() == (BRAND_DIR / "icon.svg").read_text()


def test_manifest_names_the_site_and_lists_icons_that_exist(client, home_page):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert "max-age=86400" in response["Cache-Control"]
    manifest = response.json()
    assert manifest["name"] == "Co-production Portal"
    assert manifest["theme_color"] == brand.BRAND
    assert manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512", "any"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        served = client.get(icon["src"])
        assert served.status_code == 200, icon["src"]


def test_every_page_links_the_icons_and_manifest(client, home_page):
    html = client.get("/").content.decode()
    assert f'<link rel="icon" href="{static("brand/favicon.ico")}"' in html
    assert f'<link rel="icon" href="{static("brand/icon.svg")}" type="image/svg+xml">' in html
    assert f'<link rel="apple-touch-icon" href="{static("brand/apple-touch-icon.png")}">' in html
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html


def test_favicon_ico_leads_to_the_versioned_icon(client, home_page):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("brand/favicon.ico")
    assert client.get(response["Location"]).status_code == 200


def test_versioned_icons_are_cached_for_a_year_or_more(tmp_path, settings, rf):
    """As in production: collected with content hashes, and served by WhiteNoise as immutable."""
    from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
    from whitenoise.middleware import WhiteNoiseMiddleware

    root = tmp_path / "static"
    storage = ManifestStaticFilesStorage(location=root, base_url="/static/")
    source = FileSystemStorage(location=BRAND_DIR.parent)
    paths = {}
    for path in BRAND_DIR.iterdir():
        name = f"brand/{path.name}"
        with source.open(name) as handle:
            storage.save(name, handle)
        paths[name] = (source, name)
    list(storage.post_process(paths))

    settings.STATIC_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
            "OPTIONS": {"location": str(root), "base_url": "/static/"},
        },
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    middleware = WhiteNoiseMiddleware(lambda request: None)
    for name in ("brand/favicon.ico", "brand/icon.svg", "brand/icon-192.png", "brand/share.png"):
        url = static(name)
        assert url != f"/static/{name}", "the name carries a content hash"
        response = middleware(rf.get(url))
        assert response.status_code == 200, url
        cache = response["Cache-Control"]
        assert "immutable" in cache
        assert int(cache.split("max-age=")[1].split(",")[0]) >= 365 * 24 * 3600
