"""Writing an import: matching records to resources, creating and updating them in one transaction."""

from django.db import transaction
from django.utils import timezone

from portal.http import parse_id

from ..models import (
    LibraryPage,
    ResourcePage,
    ResourceType,
)
from .parsing import PARSERS, detect_format, read_text, strip_nul
from .records import ImportFileError, ImportResult, key_for, suggest_type
from .validation import Vocabulary, clean_record

SCALARS = ["title", "summary", "author", "year", "external_url", "is_free", "is_featured", "resource_type"]


def _changes(page, values):
    changed = []
    for name in SCALARS:
        if name in values and getattr(page, name) != values[name]:
            changed.append(name)
    for name in ("topics", "audiences"):
        if name in values:
            current = {t.pk for t in getattr(page, name).all()}
            if current != {t.pk for t in values[name]}:
                changed.append(name)
    return changed


def _apply(page, values):
    for name in SCALARS:
        if name in values:
            setattr(page, name, values[name])
    if page.title:
        page.draft_title = page.title
    for name in ("topics", "audiences"):
        if name in values:
            getattr(page, name).set(values[name])


class Progress:
    """Progress for large files: a bar redrawn in place on a terminal, a line every 10% otherwise."""

    def __init__(self, stream, total, enabled):
        self.stream, self.total, self.enabled = stream, total, enabled and total >= 200
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last_decile = -1

    def update(self, done):
        if not self.enabled:
            return
        fraction = done / self.total
        if self.tty:
            filled = int(fraction * 30)
            self.stream.write(f"\r[{'#' * filled}{' ' * (30 - filled)}] {done}/{self.total}")
            if done == self.total:
                self.stream.write("\n")
            self.stream.flush()
        elif int(fraction * 10) != self.last_decile:
            self.last_decile = int(fraction * 10)
            self.stream.write(f"{done}/{self.total} records ({int(fraction * 100)}%)\n")


def find_library(identifier=None):
    libraries = LibraryPage.objects.all()
    if identifier:
        pk = parse_id(identifier)
        found = libraries.filter(pk=pk) if pk is not None else libraries.filter(slug=identifier)
        library = found.first()
        if library is None:
            raise ImportFileError(f"There is no library page “{identifier}”.")
        return library
    count = libraries.count()
    if count == 0:
        raise ImportFileError(
            "There is no library page yet: create one in the admin (or run load_demo_data)."
        )
    if count > 1:
        raise ImportFileError("There are several library pages: choose one with --library SLUG.")
    return libraries.get()


def import_resources(
    path,
    *,
    library,
    fmt=None,
    dry_run=False,
    skip_invalid=False,
    suggest_types=True,
    progress=None,
    update_existing=True,
    name=None,
    user=None,
):
    """Imports the resources in `path` into `library`; returns an ImportResult.

    With `update_existing=False` a record that matches an existing resource leaves it as it is (counted
    unchanged), so only missing resources are created: the demo data uses this to keep editors' changes.

    Raises ImportFileError (having written nothing) when the file cannot be read. When records are
    rejected, nothing is written either unless `skip_invalid` is set; the result lists them.

    `name` is what messages call the file (the admin's upload keeps its own name; the stored copy's
    path means nothing to an editor); `user` is who the revisions of updated resources are by. The
    `import_resources` command and the admin's import (library.admin_import) both call this.
    """
    fmt = detect_format(path, fmt)
    if fmt not in PARSERS:
        raise ImportFileError(f"Unknown format “{fmt}” (csv, json or text).")
    text, nul_note = strip_nul(read_text(path, name))
    records, notes = PARSERS[fmt](text)
    if nul_note:
        notes.insert(0, nul_note)
    if not records:
        raise ImportFileError("The file holds no resources.")
    result = ImportResult(dry_run=dry_run, notes=list(notes), unit="item" if fmt == "json" else "line")
    vocabulary = Vocabulary()
    types_by_slug = {t.slug: t for t in ResourceType.objects.all()}
    existing = {
        page.slug: page
        for page in ResourcePage.objects.child_of(library).prefetch_related("topics", "audiences")
    }
    by_url = {page.external_url: page for page in existing.values() if page.external_url}
    by_title = {key_for(page.title): page for page in existing.values()}
    seen = {}
    meter = Progress(progress, len(records), progress is not None)

    with transaction.atomic():
        for done, record in enumerate(records, start=1):
            meter.update(done)
            try:
                values = clean_record(record, vocabulary)
            except ValueError as exc:
                result.rejected.append((record.line, str(exc)))
                continue
            for note in record.notes:
                result.notes.append((record.line, f"“{values['title'][:60]}”: {note}."))
            key = values["slug"]
            if key in seen:
                result.rejected.append(
                    (record.line, f"repeats the resource on line {seen[key]} (“{values['title'][:60]}”)")
                )
                continue
            seen[key] = record.line
            page = (
                existing.get(key)
                or by_title.get(key_for(values["title"]))
                or (by_url.get(values["external_url"]) if values.get("external_url") else None)
            )
            if page is None:
                if suggest_types and "resource_type" not in values:
                    slug, word = suggest_type(f"{values['title']} {values.get('summary', '')}")
                    if slug in types_by_slug:
                        values["resource_type"] = types_by_slug[slug]
                        result.notes.append(
                            (
                                record.line,
                                f"“{values['title'][:60]}”: type {types_by_slug[slug].name} suggested (“{word}”).",
                            )
                        )
                topics = values.pop("topics", [])
                audiences = values.pop("audiences", [])
                values.setdefault("summary", "")
                now = timezone.now()
                page = ResourcePage(
                    **values,
                    draft_title=values["title"],
                    live=True,
                    first_published_at=now,
                    last_published_at=now,
                    topics=topics,
                    audiences=audiences,
                )
                library.add_child(instance=page)
                existing[key] = by_title[key_for(page.title)] = page
                result.created.append((record.line, values["title"]))
                continue
            values.pop("slug")
            if not update_existing:
                result.unchanged.append((record.line, page.title))
                continue
            changed = _changes(page, values)
            if not changed:
                result.unchanged.append((record.line, page.title))
                continue
            _apply(page, values)
            page.save_revision(user=user, log_action=True).publish(user=user, log_action=True)
            result.updated.append((record.line, page.title, changed))
        if (result.rejected and not skip_invalid) or dry_run:
            transaction.set_rollback(True)
        else:
            result.written = True
    if result.written:
        # Pages are saved without revisions on creation; keep the parent's tree counts fresh.
        library.refresh_from_db()
    return result
