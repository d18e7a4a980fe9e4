"""backup_site and restore_site: the demo site, backed up and restored into a fresh database and fresh
media folders, comes back equal, row for row (every page, registration, claim and payout among them) and
file for file. Runs on SQLite and on PostgreSQL (pg_dump / pg_restore into a database of its own)."""

import io
import json
import os
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.utils import load_backend

pytestmark = pytest.mark.django_db(transaction=True)


def restore_database_name():
    return os.environ.get("TEST_RESTORE_DATABASE_NAME") or f"{connection.settings_dict['NAME']}_restore"


@pytest.fixture
def restored_alias(tmp_path):
    """A second database alias, "restored", pointing at a new, empty database."""
    params = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        name = restore_database_name()
        _admin(f'DROP DATABASE IF EXISTS "{name}"')
        _admin(f'CREATE DATABASE "{name}"')
    else:
        name = str(tmp_path / "restored.sqlite3")
    params["NAME"] = name
    # A connection made by hand, as a script would: not a configured alias, so the test framework lets
    # this test use it.
    connections["restored"] = load_backend(params["ENGINE"]).DatabaseWrapper(params, "restored")
    yield "restored"
    connections["restored"].close()
    del connections["restored"]
    if connection.vendor == "postgresql":
        _admin(f'DROP DATABASE IF EXISTS "{name}"')


def _admin(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)


def rows(alias, model):
    return list(model._default_manager.db_manager(alias).order_by("pk").values())


def files(folder):
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()
    }


@pytest.fixture
def demo_site(settings):
    call_command("load_demo_data", stdout=StringIO())
    # Files in both folders, whatever the demo happens to upload.
    private = Path(settings.PRIVATE_MEDIA_ROOT) / "receipts" / "2026"
    private.mkdir(parents=True, exist_ok=True)
    (private / "taxi receipt.pdf").write_bytes(b"%PDF-1.4 a receipt\n")
    public = Path(settings.MEDIA_ROOT) / "documents"
    public.mkdir(parents=True, exist_ok=True)
    (public / "leaflet.txt").write_text("Easy read leaflet")
    return settings


def test_the_demo_site_backed_up_and_restored_into_a_fresh_database_and_folders_is_equal(
    demo_site, restored_alias, tmp_path
):
    from wagtail.models import Page

    from events.models import Registration
    from payments.models import InvolvementClaim
    from payouts.models import Payout

    settings = demo_site
    out = StringIO()
    call_command("backup_site", str(tmp_path), stdout=out)
    [backup] = tmp_path.glob("portal-backup-*.tar.gz")
    assert f"to {backup}" in out.getvalue()
    with tarfile.open(backup) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database"]["vendor"] == connection.vendor
    assert "media/documents/leaflet.txt" in manifest["files"]
    assert "private_media/receipts/2026/taxi receipt.pdf" in manifest["files"]
    assert "portal.0002_scheduled_run" in manifest["migrations"]

    before_media, before_private = files(settings.MEDIA_ROOT), files(settings.PRIVATE_MEDIA_ROOT)
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "restored-private"
    out = StringIO()
    call_command("restore_site", str(backup), database=restored_alias, stdout=out)
    assert "Restored the backup made" in out.getvalue()

    # Not an empty comparison: the demo has each of these.
    for model in (Page, Registration, InvolvementClaim, Payout):
        assert model.objects.count() > 1, model
    compared = 0
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        assert rows(restored_alias, model) == rows("default", model), model._meta.label
        compared += 1
    assert compared > 50
    assert files(settings.MEDIA_ROOT) == before_media
    assert files(settings.PRIVATE_MEDIA_ROOT) == before_private
    assert "documents/leaflet.txt" in before_media and "receipts/2026/taxi receipt.pdf" in before_private

    # A second restore finds the database in use and refuses, changing nothing; --replace restores again.
    with pytest.raises(CommandError, match="is not empty.*--replace"):
        call_command("restore_site", str(backup), database=restored_alias, stdout=StringIO())
    (Path(settings.PRIVATE_MEDIA_ROOT) / "left over.txt").write_text("from before")
    call_command("restore_site", str(backup), database=restored_alias, replace=True, stdout=StringIO())
    assert rows(restored_alias, Payout) == rows("default", Payout)
    assert rows(restored_alias, Page) == rows("default", Page)
    assert files(settings.PRIVATE_MEDIA_ROOT) == before_private


def _rewrite(backup, target, change):
    """Copies the backup, passing each member's bytes through change(name, data)."""
    with tarfile.open(backup) as source, tarfile.open(target, "w:gz") as copy:
        for info in source.getmembers():
            data = change(info.name, source.extractfile(info).read())
            if data is None:
                continue
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))
    return target


@pytest.fixture
def small_backup(settings, tmp_path):
    (Path(settings.PRIVATE_MEDIA_ROOT) / "receipts").mkdir(parents=True)
    (Path(settings.PRIVATE_MEDIA_ROOT) / "receipts" / "r.pdf").write_bytes(b"%PDF-1.4 receipt")
    path = tmp_path / "site.tar.gz"
    call_command("backup_site", str(path), stdout=StringIO())
    return path


def test_a_damaged_backup_is_refused_before_anything_changes(
    small_backup, restored_alias, tmp_path, settings
):
    damaged = _rewrite(
        small_backup,
        tmp_path / "damaged.tar.gz",
        lambda name, data: data + b"!" if name == "private_media/receipts/r.pdf" else data,
    )
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "empty-private"
    with pytest.raises(CommandError, match="r.pdf is damaged"):
        call_command("restore_site", str(damaged), database=restored_alias, stdout=StringIO())
    assert connections[restored_alias].introspection.table_names() == []

    missing = _rewrite(
        small_backup, tmp_path / "missing.tar.gz", lambda name, data: None if name.endswith("r.pdf") else data
    )
    with pytest.raises(CommandError, match="does not match its manifest"):
        call_command("restore_site", str(missing), database=restored_alias, stdout=StringIO())
    no_manifest = _rewrite(
        small_backup, tmp_path / "bare.tar.gz", lambda name, data: None if name == "manifest.json" else data
    )
    with pytest.raises(CommandError, match="not a backup_site backup"):
        call_command("restore_site", str(no_manifest), database=restored_alias, stdout=StringIO())
    assert connections[restored_alias].introspection.table_names() == []


def test_a_backup_from_a_newer_release_or_another_database_is_refused(small_backup, restored_alias, tmp_path):
    def newer(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"].append("payments.9999_from_the_future")
        return json.dumps(manifest).encode()

    future = _rewrite(small_backup, tmp_path / "future.tar.gz", newer)
    with pytest.raises(CommandError, match="newer release.*payments.9999_from_the_future"):
        call_command("restore_site", str(future), database=restored_alias, stdout=StringIO())

    def other_vendor(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["database"]["vendor"] = "oracle"
        return json.dumps(manifest).encode()

    oracle = _rewrite(small_backup, tmp_path / "oracle.tar.gz", other_vendor)
    with pytest.raises(CommandError, match="This is a oracle backup"):
        call_command("restore_site", str(oracle), database=restored_alias, stdout=StringIO())
    assert connections[restored_alias].introspection.table_names() == []


def test_restore_into_the_sites_own_media_folders_refuses_while_they_hold_files(small_backup, restored_alias):
    with pytest.raises(CommandError, match="private.* is not empty"):
        call_command("restore_site", str(small_backup), database=restored_alias, stdout=StringIO())
    assert connections[restored_alias].introspection.table_names() == []


def test_bad_paths_get_a_clear_message(small_backup, tmp_path):
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup_site", str(small_backup), stdout=StringIO())
    with pytest.raises(CommandError, match="does not exist"):
        call_command("backup_site", str(tmp_path / "nowhere" / "b.tar.gz"), stdout=StringIO())
    with pytest.raises(CommandError, match="is not a file"):
        call_command("restore_site", str(tmp_path / "nothing.tar.gz"), stdout=StringIO())
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tarball at all")
    with pytest.raises(CommandError, match="is not a readable backup"):
        call_command("restore_site", str(junk), stdout=StringIO())
    assert not list(tmp_path.glob("*.partial"))
