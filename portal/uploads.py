"""Checking uploaded files: what a file is by its content as well as its name, how it is built, and how
big it may be.

Every upload the portal accepts (receipts, suggested resources, course materials) goes through
`check_upload`, in three steps:

1. Name and first bytes: the extension must be allowed and the type its first bytes show (magic
   numbers, read by `filetype`) must be one that extension stands for, so a web page called
   `notes.pdf` or a program called `photo.jpg` is refused. This is the only check for images (JPEG,
   PNG, HEIC, WebP).
2. Structure, for PDFs (`check_pdf`): the whole file must parse (pypdf), must not be encrypted, and no
   object reachable from it may hold JavaScript, a launch action or an embedded file; the raw bytes must
   hold no web page markup or script either (a "polyglot": a PDF header followed by HTML that a browser
   would run).
3. Structure, for office files (`check_office`): Word, Excel and PowerPoint files (.docx, .xlsx, .pptx)
   must be zip packages whose `[Content_Types].xml` declares every part, whose main part is the one the
   extension stands for, and which hold no web page, script, macro, ActiveX or OLE part; OpenDocument
   text (.odt) must declare its type in `mimetype` and hold no macros (Basic/, Scripts/) or such parts.
   Both refuse zip bombs (more than 5,000 parts or 250 MB unpacked).
"""

import io
import re
import zipfile
from xml.etree import ElementTree

import filetype
from django.core.exceptions import ValidationError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject


def content_type(upload):
    """The MIME type the file's first bytes show, or None when they show nothing known."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def _megabytes(size):
    return f"{size // (1024 * 1024)} MB"


def check_upload(upload, *, allowed, max_bytes, what="file", described_as=""):
    """Raises ValidationError (a message for people) unless `upload` is an allowed, small enough file.

    `allowed` maps an extension (".pdf") to the MIME types its content may show; `described_as` names
    the allowed kinds for people ("a PDF or a photo"). Returns the extension that matched.
    """
    described_as = described_as or ", ".join(ext[1:].upper() for ext in allowed)
    name = (getattr(upload, "name", "") or "").lower()
    extension = next((ext for ext in allowed if name.endswith(ext)), None)
    if extension is None:
        raise ValidationError(f"Upload the {what} as {described_as}.")
    if upload.size > max_bytes:
        raise ValidationError(f"The {what} must be smaller than {_megabytes(max_bytes)}.")
    if content_type(upload) not in allowed[extension]:
        raise ValidationError(
            f"This file is not a {extension[1:].upper()} file, whatever its name says. "
            f"Upload the {what} as {described_as}."
        )
    if extension == ".pdf":
        check_pdf(upload, what=what)
    elif extension in OFFICE_MAIN_TYPES:
        check_office(upload, extension, what=what)
    elif extension == ".odt":
        check_opendocument(upload, what=what)
    return extension


def _read_all(upload):
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


# Markup and script a browser would run if it took the file for a web page. Compressed PDF streams are
# random-looking bytes, where a short marker turns up by chance: there only the long ones are looked for.
WEB_CODE = re.compile(rb"<\s*(script|html|body|iframe|object|embed|svg|meta)\b|javascript:", re.IGNORECASE)
SCRIPT_CODE = re.compile(rb"<\s*script\b|javascript:", re.IGNORECASE)
PDF_STREAM = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)
# PDF names for what may run or carry another file: checked in the parsed objects and the raw bytes.
PDF_ACTIVE_NAMES = {"/JavaScript", "/JS", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia"}
PDF_ACTIVE_BYTES = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia)(?![A-Za-z0-9])")
MAX_PDF_OBJECTS = 200_000


def _refuse(what, problem):
    raise ValidationError(f"This {what} cannot be accepted: {problem} Please upload a plain version.")


def check_pdf(upload, *, what="file"):
    """Raises ValidationError unless the PDF parses and holds nothing that runs or carries a file."""
    data = _read_all(upload)
    outside_streams = PDF_STREAM.sub(b"", data)
    if WEB_CODE.search(outside_streams) or SCRIPT_CODE.search(data):
        _refuse(what, "it holds web page code (HTML or script) as well as a PDF.")
    if PDF_ACTIVE_BYTES.search(outside_streams):
        _refuse(what, "it holds JavaScript, a launch action or an embedded file.")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            _refuse(what, "it is password-protected or encrypted, so it cannot be checked.")
        if len(reader.pages) < 1:
            raise ValueError("no pages")
        found = _active_pdf_content(reader)
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises many kinds of error for a damaged file
        raise ValidationError(
            f"This {what} could not be read as a PDF: it may be damaged. Please save it again as a PDF "
            "and upload it."
        ) from exc
    if found:
        _refuse(what, "it holds JavaScript, a launch action or an embedded file.")


def _active_pdf_content(reader):
    """Whether any object reachable from the trailer names JavaScript, a launch action or an embedded
    file (names are compared decoded, so `/J#61vaScript` is `/JavaScript`)."""
    stack, seen, count = [reader.trailer], set(), 0
    while stack:
        item = stack.pop()
        count += 1
        if count > MAX_PDF_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            if PDF_ACTIVE_NAMES & {str(k) for k in item}:
                return True
            if str(item.get("/S", "")) in {"/JavaScript", "/Launch"}:
                return True
            if str(item.get("/Type", "")) == "/EmbeddedFile":
                return True
            stack.extend(item.raw_get(k) for k in item)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, NameObject) and str(item) in {"/JavaScript", "/Launch"}:
            return True
    return False


OFFICE_MAIN_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# Parts an office file never needs and that a browser, Office or Windows would run.
RISKY_TYPE_WORDS = ("html", "javascript", "ecmascript", "macroenabled", "vbaproject", "activex", "oleobject")
RISKY_EXTENSIONS = (
    ".html", ".htm", ".xhtml", ".mht", ".mhtml", ".js", ".vbs", ".bin", ".exe", ".dll", ".hta", ".bat",
    ".cmd", ".ps1", ".jar", ".scr", ".com",
)  # fmt: skip
MAX_ZIP_PARTS = 5000
MAX_ZIP_BYTES = 250 * 1024 * 1024


def _open_zip(upload, what, kind):
    try:
        package = zipfile.ZipFile(io.BytesIO(_read_all(upload)))
        infos = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ValidationError(
            f"This {what} could not be read as {kind}: it may be damaged. Please save it again and upload it."
        ) from exc
    if len(infos) > MAX_ZIP_PARTS or sum(info.file_size for info in infos) > MAX_ZIP_BYTES:
        _refuse(what, "it unpacks to far more than a document needs.")
    return package, [info.filename for info in infos if not info.is_dir()]


def _risky_part(name, package):
    lower = name.lower()
    if lower.endswith(RISKY_EXTENSIONS):
        return True
    if lower.endswith(".svg"):
        return bool(WEB_CODE.search(package.read(name).replace(b"<svg", b"")))
    return False


def check_office(upload, extension, *, what="file"):
    """Raises ValidationError unless the Word/Excel/PowerPoint package declares every part's type, has
    the main part its extension stands for, and holds no web page, script, macro, ActiveX or OLE part."""
    kind = {".docx": "a Word file", ".xlsx": "an Excel file", ".pptx": "a PowerPoint file"}[extension]
    package, names = _open_zip(upload, what, kind)
    try:
        raw = package.read("[Content_Types].xml")
        if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
            raise ValueError("a document type declaration")
        root = ElementTree.fromstring(raw)
    except (KeyError, ValueError, ElementTree.ParseError, zipfile.BadZipFile) as exc:
        raise ValidationError(
            f"This {what} could not be read as {kind}: its list of parts is missing or damaged."
        ) from exc
    defaults = {
        (e.get("Extension") or "").lower(): (e.get("ContentType") or "").lower()
        for e in root.iter(f"{CONTENT_TYPES_NS}Default")
    }
    overrides = {
        (e.get("PartName") or "").lstrip("/").lower(): (e.get("ContentType") or "").lower()
        for e in root.iter(f"{CONTENT_TYPES_NS}Override")
    }
    declared = [*defaults.values(), *overrides.values()]
    if any(word in content_type for content_type in declared for word in RISKY_TYPE_WORDS):
        _refuse(what, "it holds a web page, script, macro or embedded program.")
    if OFFICE_MAIN_TYPES[extension] not in overrides.values():
        raise ValidationError(f"This {what} is not {kind}, whatever its name says.")
    for name in names:
        if name == "[Content_Types].xml":
            continue
        if _risky_part(name, package):
            _refuse(what, "it holds a web page, script, macro or embedded program.")
        part_extension = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
        if name.lower() not in overrides and part_extension not in defaults:
            _refuse(what, f"it holds a part of no declared type ({name[:80]}).")


ODT_TYPE = b"application/vnd.oasis.opendocument.text"


def check_opendocument(upload, *, what="file"):
    """Raises ValidationError unless the OpenDocument text declares its type and holds no macros or
    web page, script or program parts."""
    package, names = _open_zip(upload, what, "an OpenDocument text file")
    try:
        declared = package.read("mimetype").strip()
    except KeyError:
        declared = b""
    if declared != ODT_TYPE or "content.xml" not in names:
        raise ValidationError(f"This {what} is not an OpenDocument text file, whatever its name says.")
    for name in names:
        if name.startswith(("Basic/", "Scripts/")) or _risky_part(name, package):
            _refuse(what, "it holds macros, a web page, script or embedded program.")
