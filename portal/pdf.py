"""Printable documents (letters, sign-in sheets, statements) as PDF, from the site's own Django templates.

One function renders: `render_pdf(template, context, *, large_print=False)`. Templates extend
`pdf/base.html`, which sets the page (A4, margins, page numbers), the font (DejaVu Sans, from Debian's
fonts-dejavu-core) and the type size: 12 pt body text, or at least 16 pt with `large_print` (the RNIB's
clear print guidance; the body, tables and small print all grow, headings more).

WeasyPrint lays the page out with Pango (Debian's libpango-1.0-0 and libpangoft2-1.0-0). What must stay
true:
- A document never fetches anything: every style is in the template and the URL fetcher refuses all
  addresses, so a name or address someone typed cannot make the server request a URL (SSRF) or read a
  file.
- The PDF is tagged (PDF/UA-1) with the template's `<title>` and `lang`, so screen readers can read it.
- Documents hold personal data: `pdf_response` marks them private and never stored by caches.
"""

from django.http import HttpResponse
from django.template.loader import render_to_string

LARGE_PRINT_MIN_PT = 16


class PdfFetchRefused(ValueError):
    pass


def _refuse_fetch(url, *args, **kwargs):
    raise PdfFetchRefused(f"Printable documents load nothing from outside: {url[:80]}")


def _url_fetcher():
    """A fetcher that refuses every address. WeasyPrint 70 takes a `URLFetcher` object (a refusal is a
    warning and the resource is left out); earlier versions a function."""
    from weasyprint import urls

    if not hasattr(urls, "URLFetcher"):
        return _refuse_fetch

    class RefuseAll(urls.URLFetcher):
        def fetch(self, url, headers=None):
            return _refuse_fetch(url)

    return RefuseAll(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)


def render_html(template, context, *, large_print=False):
    """The HTML a document is made from (also what tests and previews can look at)."""
    return render_to_string(
        template,
        {**context, "large_print": large_print, "body_pt": LARGE_PRINT_MIN_PT if large_print else 12},
    )


def render_pdf(template, context, *, large_print=False) -> bytes:
    """Renders `template` with `context` to PDF bytes; `large_print` makes body text at least 16 pt."""
    # Imported here: WeasyPrint loads Pango when imported, which only the PDF views need.
    from weasyprint import HTML

    html = render_html(template, context, large_print=large_print)
    return HTML(string=html, url_fetcher=_url_fetcher(), base_url="about:blank").write_pdf(
        pdf_variant="pdf/ua-1"
    )


def pdf_response(filename, content, *, download=False):
    """An HTTP response for a rendered PDF: shown in the browser (or downloaded), never cached."""
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    safe_name = "".join(ch for ch in filename if ch.isalnum() or ch in "-_.") or "document.pdf"
    response["Content-Disposition"] = f'{disposition}; filename="{safe_name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
