"""Files built in the tests: real PDFs and office packages (clean ones, and the hostile kinds
portal.uploads refuses), so no test depends on a stored sample."""

import io
import zipfile

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def pdf_bytes(*, javascript=False, attachment=False, launch=False, text=""):
    """A one-page PDF written by pypdf; optionally with JavaScript, an embedded file or a launch action."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if text:
        writer.add_metadata({"/Title": text})
    if attachment:
        writer.add_attachment("tool.exe", b"MZ fake program")
    # An action run when the file opens: JavaScript, or launching a program.
    action = None
    if javascript:
        action = {"/S": NameObject("/JavaScript"), "/JS": TextStringObject("app.alert('hello');")}
    if launch:
        action = {"/S": NameObject("/Launch"), "/F": TextStringObject("calc.exe")}
    if action:
        action = DictionaryObject({NameObject(key): value for key, value in action.items()})
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = pdf_bytes()


def office_bytes(*, main=WORD, extra_parts=(), extra_types=(), declare=True):
    """A minimal .docx-shaped package: [Content_Types].xml, the relationships and the main part.

    `extra_parts` are (name, bytes); `extra_types` are extra <Default>/<Override> lines."""
    types = [
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
        f'<Override PartName="/word/document.xml" ContentType="{main}"/>' if declare else "",
        *extra_types,
    ]
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + "".join(types)
        + "</Types>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", content_types)
        package.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        package.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body>'
            "</w:document>",
        )
        for name, data in extra_parts:
            package.writestr(name, data)
    return out.getvalue()


DOCX = office_bytes()


def odt_bytes(*, extra_parts=()):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        package.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
        package.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest/>')
        for name, data in extra_parts:
            package.writestr(name, data)
    return out.getvalue()
