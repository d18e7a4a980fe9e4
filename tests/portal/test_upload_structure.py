"""Uploads are checked by their structure (portal/uploads.py): a PDF must parse and hold nothing that
runs or carries a file; an office file's parts must have the expected types; polyglots are refused."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from library.forms import SUGGESTION_FILE_TYPES
from portal.uploads import check_upload
from tests.uploads import DOCX, PDF, odt_bytes, office_bytes, pdf_bytes

XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
TYPES = {**SUGGESTION_FILE_TYPES, ".xlsx": {"application/zip"}}


def check(name, data):
    return check_upload(SimpleUploadedFile(name, data), allowed=TYPES, max_bytes=10**7, what="file")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("guide.pdf", PDF),
        ("guide.pdf", pdf_bytes(text="A guide to <b>paying</b> people")),
        ("guide.docx", DOCX),
        ("guide.docx", office_bytes(extra_parts=[("word/media/image1.png", b"\x89PNG")],
                                    extra_types=['<Default Extension="png" ContentType="image/png"/>'])),
        ("guide.odt", odt_bytes()),
    ],
)  # fmt: skip
def test_plain_documents_pass(name, data):
    assert check(name, data) == "." + name.rsplit(".", 1)[1]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (pdf_bytes(javascript=True), "JavaScript, a launch action or an embedded file"),
        (pdf_bytes(attachment=True), "JavaScript, a launch action or an embedded file"),
        (pdf_bytes(launch=True), "JavaScript, a launch action or an embedded file"),
        # A polyglot: a real PDF followed by a web page with a script.
        (PDF + b"\n<html><body><script>alert(document.cookie)</script></body></html>", "web page code"),
        (PDF.replace(b"%PDF-1.3", b"%PDF-1.3\n<html><script>alert(1)</script>", 1), "web page code"),
        # A PDF header with nothing a PDF reader could open behind it.
        (b"%PDF-1.4\n<p>not really</p>\n%%EOF\n", "could not be read as a PDF"),
        (b"%PDF-1.4 x", "could not be read as a PDF"),
        # The name obfuscated with a #-escape is still found once parsed.
        (pdf_bytes(javascript=True).replace(b"/JavaScript", b"/J#61vaScript"), "JavaScript"),
    ],
)
def test_hostile_or_broken_pdfs_are_refused_with_a_clear_message(data, message):
    with pytest.raises(ValidationError, match=message):
        check("guide.pdf", data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # A DOCX holding a web page part, declared or not.
        (
            office_bytes(
                extra_parts=[("word/evil.html", b"<html><script>alert(1)</script></html>")],
                extra_types=['<Default Extension="html" ContentType="text/html"/>'],
            ),
            "web page, script, macro or embedded program",
        ),
        (office_bytes(extra_parts=[("word/evil.html", b"<html></html>")]), "web page, script, macro"),
        (office_bytes(extra_parts=[("word/run.js", b"alert(1)")]), "web page, script, macro"),
        # Macros.
        (
            office_bytes(
                extra_parts=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")],
                extra_types=['<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'],
            ),
            "web page, script, macro",
        ),
        (
            office_bytes(main="application/vnd.ms-word.document.macroEnabled.main+xml"),
            "web page, script, macro",
        ),
        # A part nobody declared.
        (office_bytes(extra_parts=[("word/notes.dat", b"x")]), "part of no declared type"),
        # Not a Word document inside (a spreadsheet's main part), or no list of parts at all.
        (office_bytes(main=XLSX_MAIN), "is not a Word file"),
        (office_bytes(declare=False), "is not a Word file"),
        (b"PK\x03\x04 not really a zip", "could not be read as a Word file"),
    ],
)
def test_hostile_or_broken_office_files_are_refused(data, message):
    with pytest.raises(ValidationError, match=message):
        check("guide.docx", data)


def test_a_docx_renamed_to_xlsx_is_refused():
    with pytest.raises(ValidationError, match="not a XLSX file|is not an Excel file"):
        check("sheet.xlsx", DOCX)


def test_a_package_missing_its_list_of_parts_is_refused():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ValidationError, match="list of parts is missing or damaged"):
        check("guide.docx", out.getvalue())


def test_opendocument_with_macros_or_without_its_type_is_refused():
    with pytest.raises(ValidationError, match="macros"):
        check("guide.odt", odt_bytes(extra_parts=[("Basic/Standard/Module1.xml", "<script/>")]))
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(ValidationError, match="not an OpenDocument text file"):
        check("guide.odt", out.getvalue())
