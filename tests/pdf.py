"""Reading the PDFs the portal makes (portal.pdf), for tests: their text and their type sizes."""

import io

from pypdf import PdfReader


def pdf_text(content):
    """All the text of a PDF, pages joined, whitespace collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def font_sizes(content):
    """{text run: size in points} for every non-blank run of text: the font size times the scale of the
    text and page matrices (WeasyPrint draws in CSS pixels, 0.75 pt each)."""
    reader = PdfReader(io.BytesIO(content))
    sizes = {}

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            sizes[" ".join(text.split())] = round(font_size * abs(tm[3]) * abs(cm[3]), 2)

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return sizes


def page_count(content):
    return len(PdfReader(io.BytesIO(content)).pages)
