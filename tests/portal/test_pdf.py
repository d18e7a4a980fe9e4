"""portal.pdf: the site's templates as PDF, large print, nothing fetched, private responses."""

import pytest

from portal import pdf
from tests.pdf import font_sizes, pdf_text


@pytest.fixture
def template(tmp_path, settings):
    (tmp_path / "doc.html").write_text(
        '{% extends "pdf/base.html" %}{% block title %}A test letter{% endblock %}'
        "{% block content %}<h1>Hello {{ name }}</h1><p>Body text for {{ name }}.</p>"
        '<img src="http://169.254.169.254/latest/meta-data" alt="">'
        '<p style="background: url(file:///etc/passwd)">Still here.</p>{% endblock %}'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0].get("DIRS", [])]}
    ]
    return "doc.html"  # (Django resets its template engines when TEMPLATES changes)


def test_renders_the_template_to_pdf(template):
    content = pdf.render_pdf(template, {"name": "Ada <Lovelace>"})
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    assert (
        "Hello Ada <Lovelace>" in text and "Body text for Ada <Lovelace>." in text and "Still here." in text
    )
    assert "Page 1 of 1" in text


@pytest.mark.parametrize("large_print, minimum", [(False, 12), (True, pdf.LARGE_PRINT_MIN_PT)])
def test_body_text_size(template, large_print, minimum):
    sizes = font_sizes(pdf.render_pdf(template, {"name": "Ada"}, large_print=large_print))
    body = sizes["Body text for Ada."]
    assert body == pytest.approx(minimum, abs=0.05)
    assert min(sizes.values()) >= minimum - 0.05  # nothing smaller, not even the page numbers
    assert sizes["Hello Ada"] > body


def test_fetches_nothing(template, monkeypatch):
    fetched = []
    real = pdf._refuse_fetch
    monkeypatch.setattr(pdf, "_refuse_fetch", lambda url, *a, **k: fetched.append(url) or real(url))
    pdf.render_pdf(template, {"name": "Ada"})
    # WeasyPrint asked, and was refused (the document still rendered, without the image).
    assert fetched and all(url.startswith(("http://169.254", "file:")) for url in fetched)


def test_pdf_response_is_private():
    response = pdf.pdf_response('letter "x"\n.pdf', b"%PDF-1.7")
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'inline; filename="letterx.pdf"'
