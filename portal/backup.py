"""Backing up and restoring the whole site: the database plus both media folders, in one tarball.

`manage.py backup_site DEST` writes `DEST` (a `.tar.gz`; a folder gets a dated file name) holding:

- `database.dump` (PostgreSQL: `pg_dump --format=custom`, no owners or grants, so it restores under any
  role) or `database.sqlite3` (SQLite: the sqlite3 backup API, a consistent copy while the site runs);
- `media/...` (MEDIA_ROOT: images and documents) and `private_media/...` (PRIVATE_MEDIA_ROOT: receipts,
  course materials);
- `manifest.json`, written last: the format, when, the portal's version, the database vendor, the
  migrations applied, and the SHA-256 and size of every other member.

`manage.py restore_site SRC` checks everything before it changes anything: the manifest's checksums
(and that nothing is there the manifest does not list), the database vendor, and that the backup was not
made by a newer release (migrations this code does not know). It then refuses a database with any table
in it, or a media folder with any file in it, unless given `--replace`, which empties them first. After
a restore made by an older release, run `manage.py migrate`.

What must stay true: a restore that refuses has changed nothing; a backup that fails leaves no file at
DEST (it is written beside it and renamed at the end).
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """Something the operator must fix; the message says what, and that nothing was changed."""


def media_folders():
    """Member prefix -> folder on disk."""
    return {"media": Path(settings.MEDIA_ROOT), "private_media": Path(settings.PRIVATE_MEDIA_ROOT)}


def portal_version():
    try:
        return metadata.version("coproduction-portal")
    except metadata.PackageNotFoundError:
        return "unknown"


# -- Backing up ---------------------------------------------------------------------------------------


def backup_site(dest, *, using="default", now=None):
    """Writes the backup tarball; returns its path and the manifest."""
    now = now or datetime.datetime.now(datetime.UTC)
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / f"portal-backup-{now:%Y%m%d-%H%M%S}.tar.gz"
    if dest.exists():
        raise BackupError(f"{dest} already exists; choose a new name (nothing was written).")
    if not dest.parent.is_dir():
        raise BackupError(f"The folder {dest.parent} does not exist (nothing was written).")
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backing up a {vendor} database is not supported (PostgreSQL and SQLite are).")

    files = {}
    partial = dest.with_name(dest.name + ".partial")
    try:
        with tempfile.TemporaryDirectory(prefix="portal-backup-") as work:
            database_member = "database.dump" if vendor == "postgresql" else "database.sqlite3"
            dump = Path(work) / database_member
            if vendor == "postgresql":
                _pg_dump(connection, dump)
            else:
                _sqlite_dump(connection, dump)
            migrations = _applied_migrations(connection)
            with tarfile.open(partial, "w:gz") as tar:
                files[database_member] = _add(tar, dump, database_member)
                for prefix, folder in media_folders().items():
                    for path in _files_under(folder):
                        member = f"{prefix}/{path.relative_to(folder).as_posix()}"
                        files[member] = _add(tar, path, member)
                manifest = {
                    "format": FORMAT,
                    "created": now.isoformat(),
                    "portal_version": portal_version(),
                    "database": {"vendor": vendor, "member": database_member},
                    "migrations": migrations,
                    "files": files,
                }
                body = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(body)
                info.mtime = int(now.timestamp())
                tar.addfile(info, _BytesReader(body))
        partial.rename(dest)
    finally:
        partial.unlink(missing_ok=True)
    return dest, manifest


def _files_under(folder):
    if not folder.is_dir():
        return []
    found = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return found


class _HashingReader:
    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


class _BytesReader:
    def __init__(self, data):
        self.data, self.position = data, 0

    def read(self, size=-1):
        end = len(self.data) if size < 0 else self.position + size
        chunk = self.data[self.position : end]
        self.position += len(chunk)
        return chunk


def _add(tar, path, member):
    """Adds one file, hashing exactly the bytes that went into the tarball."""
    with open(path, "rb") as handle:
        info = tar.gettarinfo(fileobj=handle, arcname=member)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": info.size}


def _applied_migrations(connection):
    recorder = MigrationRecorder(connection)
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _pg_environment(connection):
    params = connection.settings_dict
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", params.get("HOST")),
        ("PGPORT", str(params.get("PORT") or "")),
        ("PGUSER", params.get("USER")),
        ("PGPASSWORD", params.get("PASSWORD")),
        ("PGSSLMODE", params.get("OPTIONS", {}).get("sslmode")),
    ):
        if value:
            env[key] = value
    return env


def _run_pg_tool(arguments, connection):
    tool = arguments[0]
    if shutil.which(tool) is None:
        raise BackupError(
            f"{tool} is not installed: install the PostgreSQL client tools (Debian: postgresql-client) "
            "of the server's major version or newer. Nothing was changed."
        )
    result = subprocess.run(arguments, env=_pg_environment(connection), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip() or result.stdout.strip()}")


def _pg_dump(connection, dump):
    _run_pg_tool(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={dump}",
            "--dbname",
            _dbname(connection),
        ],
        connection,
    )


def _dbname(connection):
    return connection.settings_dict["NAME"]


def _sqlite_dump(connection, dump):
    connection.ensure_connection()
    target = sqlite3.connect(dump)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


# -- Restoring ----------------------------------------------------------------------------------------


def restore_site(src, *, using="default", replace=False):
    """Restores a backup_site tarball into the database `using` and the media folders; returns the manifest."""
    src = Path(src)
    if not src.is_file():
        raise BackupError(f"{src} is not a file. Nothing was changed.")
    connection = connections[using]
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as work:
        work = Path(work)
        manifest = _unpack_and_verify(src, work)
        _check_fits(manifest, connection)
        _check_empty(connection, replace)
        database = work / manifest["database"]["member"]
        if connection.vendor == "postgresql":
            _pg_restore(connection, database, replace)
        else:
            _sqlite_restore(connection, database)
        for prefix, folder in media_folders().items():
            _restore_folder(work / prefix, folder)
    return manifest


def _unpack_and_verify(src, work):
    try:
        with tarfile.open(src, "r:*") as tar:
            # The "data" filter refuses absolute paths, "..", links out of the folder and device files.
            tar.extractall(work, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{src} is not a readable backup ({error}). Nothing was changed.") from None
    try:
        manifest = json.loads((work / MANIFEST).read_text())
        files = manifest["files"]
        database_member = manifest["database"]["member"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupError(
            f"{src} has no readable {MANIFEST}: it is not a backup_site backup. Nothing was changed."
        ) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{src} is a backup of format {manifest.get('format')!r}; this release reads {FORMAT}."
        )
    if database_member not in files:
        raise BackupError(f"{src} has no database in it. Nothing was changed.")
    present = {path.relative_to(work).as_posix() for path in work.rglob("*") if path.is_file()} - {MANIFEST}
    if present != set(files):
        strange = sorted(present ^ set(files))[:5]
        raise BackupError(f"{src} does not match its manifest ({', '.join(strange)}). Nothing was changed.")
    for member, expected in files.items():
        if _sha256(work / member) != expected["sha256"]:
            raise BackupError(f"{src}: {member} is damaged (its checksum differs). Nothing was changed.")
    return manifest


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_fits(manifest, connection):
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"This is a {vendor} backup and the database is {connection.vendor}: restore it into {vendor}. "
            "Nothing was changed."
        )
    # Only the project's own: a third-party release may drop an old migration a database still records.
    known = {
        f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    ours = {name for name in manifest["migrations"] if name.split(".")[0] in settings.PROJECT_APPS}
    unknown = sorted(ours - known)
    if unknown:
        raise BackupError(
            f"This backup was made by a newer release (portal {manifest.get('portal_version')}): this code does "
            f"not know the migrations {', '.join(unknown[:5])}. Restore it with that release. Nothing was changed."
        )


def _check_empty(connection, replace):
    if replace:
        return
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"The database {_dbname(connection)} is not empty ({len(tables)} tables). Restore into a new, empty "
            "database, or give --replace to delete everything in it first. Nothing was changed."
        )
    for folder in media_folders().values():
        if _files_under(folder):
            raise BackupError(
                f"{folder} is not empty. Restore into empty folders (MEDIA_ROOT, PRIVATE_MEDIA_ROOT), or give "
                "--replace to delete their files first. Nothing was changed."
            )


def _pg_restore(connection, dump, replace):
    if replace:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    connection.close()
    _run_pg_tool(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            _dbname(connection),
            str(dump),
        ],
        connection,
    )


def _sqlite_restore(connection, database):
    # The backup API copies every page, replacing whatever the database held.
    connection.ensure_connection()
    source = sqlite3.connect(database)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _restore_folder(unpacked, folder):
    folder.mkdir(parents=True, exist_ok=True)
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if unpacked.is_dir():
        for child in unpacked.iterdir():
            shutil.move(child, folder / child.name)
