"""Migration 0010 moves the files of suggestions still waiting for review out of public MEDIA_ROOT: each
becomes the suggestion's private `pending_file` under a generated name, and its document (row and public
file) goes. A published suggestion's document stays. Migrated back to 0009, filled through the
historical models, migrated forward. Runs on SQLite and PostgreSQL."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.uploads import PDF

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("library", "0009_listing_counts_key")]


def migrate(targets):
    MigrationExecutor(connection).migrate(targets)


@pytest.fixture
def database_before(restore_migration_data):
    migrate(BEFORE)
    yield MigrationExecutor(connection).loader.project_state(BEFORE[0]).apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_pending_files_move_to_private_storage_and_published_documents_stay(database_before, settings):
    old = database_before
    Collection = old.get_model("wagtailcore", "Collection")
    Document = old.get_model("wagtaildocs", "Document")
    Suggestion = old.get_model("library", "ResourceSuggestion")
    root = Collection.objects.get(depth=1)

    def suggestion(title, status):
        document = Document(title=title, collection=root)
        document.file.save("Jo Bloggs own notes.pdf", ContentFile(PDF), save=False)
        document.save()
        made = Suggestion.objects.create(
            title=title, normalised_title=title.lower(), why_useful="Useful to researchers.",
            name="Jo", email="jo@example.org", status=status, document=document,
        )  # fmt: skip
        return made, document.file.name

    waiting, waiting_public = suggestion("Waiting", "pending")
    published, published_public = suggestion("Published", "published")
    migrate([("library", "0010_suggestion_pending_file")])

    from wagtail.documents import get_document_model

    from library.models import ResourceSuggestion

    waiting = ResourceSuggestion.objects.get(pk=waiting.pk)
    assert waiting.document is None
    assert waiting.pending_file.name.startswith("suggestions/") and "Bloggs" not in waiting.pending_file.name
    assert str(settings.PRIVATE_MEDIA_ROOT) in waiting.pending_file.path
    assert waiting.pending_file.read() == PDF
    assert not (settings.MEDIA_ROOT / waiting_public).exists()
    published = ResourceSuggestion.objects.get(pk=published.pk)
    assert not published.pending_file
    assert published.document.file.name == published_public
    assert (settings.MEDIA_ROOT / published_public).exists()
    assert get_document_model().objects.count() == 1
