"""A resource list uploaded in the admin, kept on the server between its dry run and the editor's
confirmation (library.admin_views).

What must stay true:
- The file that is imported is the file the dry run checked: the upload is stored in private storage
  (never served) under a random name, and the editor's session (server-side) holds that name, the
  file's SHA-256, the library, the format and who uploaded it. The confirmation form carries only the
  random token; the import runs only if the token is the session's, the user is the uploader, the
  upload is less than `STAGED_FOR` old and the stored bytes still have the recorded hash.
- One upload a session: a new upload, a confirmation or a cancellation deletes the previous file.
- Files left behind (a session that never came back) are deleted by the next upload after a day.
"""

import hashlib
import secrets
import time
from pathlib import Path

from portal.storage import private_storage

STAGE_DIR = "library-imports"
SESSION_KEY = "library_import"
# An import of 10,000 resources is about 2 MB of CSV; five times that is not a resource list.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
STAGED_FOR = 60 * 60  # seconds between the dry run and the confirmation
FORGOTTEN_AFTER = 24 * 60 * 60
FORMATS = {".csv": "csv", ".json": "json", ".txt": "text"}
FORMAT_NAMES = {"csv": "CSV", "json": "JSON", "text": "plain-text listing"}
SPREADSHEETS = {".xlsx", ".xls", ".ods", ".numbers"}


class UploadRejected(Exception):
    """The upload cannot be staged or confirmed; the message says why and what to do."""


def check_upload(uploaded):
    """The import format of an uploaded file, or UploadRejected saying why it cannot be a resource list."""
    suffix = Path(uploaded.name or "").suffix.lower()
    if suffix in SPREADSHEETS:
        raise UploadRejected(
            "Spreadsheet files cannot be read directly. In your spreadsheet program choose "
            "“Save as” and “CSV UTF-8”, then upload that file."
        )
    if suffix not in FORMATS:
        raise UploadRejected(
            f"“{uploaded.name}” is not a file the import reads: upload a .csv, .json or .txt file."
        )
    if uploaded.size == 0:
        raise UploadRejected(f"“{uploaded.name}” is empty.")
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise UploadRejected(
            f"“{uploaded.name}” is {uploaded.size / 1024 / 1024:.1f} MB; a resource list can be up to "
            f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    return FORMATS[suffix]


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _forget_old_files():
    try:
        _dirs, files = private_storage.listdir(STAGE_DIR)
    except FileNotFoundError:
        return
    cutoff = time.time() - FORGOTTEN_AFTER
    for name in files:
        path = Path(private_storage.path(f"{STAGE_DIR}/{name}"))
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass


def stage(session, uploaded, *, fmt, library, user):
    """Stores `uploaded` privately and records it in `session`; returns (path, the session record)."""
    discard(session)
    _forget_old_files()
    token = secrets.token_urlsafe(24)
    suffix = Path(uploaded.name).suffix.lower()
    stored = private_storage.save(f"{STAGE_DIR}/{token}{suffix}", uploaded)
    path = private_storage.path(stored)
    record = {
        "token": token,
        "stored": stored,
        "name": Path(uploaded.name).name[:200],
        "fmt": fmt,
        "sha256": _sha256(path),
        "library": library.pk,
        "user": user.pk,
        "at": time.time(),
    }
    session[SESSION_KEY] = record
    return path, record


def staged(session, token, user):
    """(path, record) of the upload `token` names, after checking it is this session's, this user's, recent
    and unchanged; UploadRejected otherwise."""
    record = session.get(SESSION_KEY)
    again = "Upload the file again to check it."
    if not record or not secrets.compare_digest(str(token), record.get("token", "")):
        raise UploadRejected(
            f"This upload is no longer waiting to be imported (imported or cancelled). {again}"
        )
    if record.get("user") != user.pk:
        discard(session)
        raise UploadRejected(f"This upload was checked by someone else. {again}")
    if time.time() - record.get("at", 0) > STAGED_FOR:
        discard(session)
        raise UploadRejected(f"The check was more than an hour ago. {again}")
    path = private_storage.path(record["stored"])
    try:
        unchanged = _sha256(path) == record["sha256"]
    except FileNotFoundError:
        unchanged = False
    if not unchanged:
        discard(session)
        raise UploadRejected(f"The checked file is no longer on the server as it was. {again}")
    return path, record


def discard(session):
    """Deletes the session's staged upload, if any."""
    record = session.pop(SESSION_KEY, None)
    if record and record.get("stored"):
        private_storage.delete(record["stored"])
