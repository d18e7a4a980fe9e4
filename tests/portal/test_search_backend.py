"""portal/search_backend.py: the search backend ranks SQLite searches in one pass and gives exactly
the results, order, scores and counts of Wagtail's own backend; on other databases it is Wagtail's.
Rankings are not kept anywhere: every search is ranked afresh (the page cache keeps whole pages)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from modelsearch.backends import database
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from library.factories import LibraryPageFactory, ResourcePageFactory
from library.models import ResourcePage
from portal.search_backend import best_first, ranked_ids

SQLITE = connection.vendor == "sqlite"
if SQLITE:  # Wagtail's SQLite search models exist only on SQLite
    from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend

    from portal.search_sqlite import RankedSQLiteSearchBackend

WORDS = ["power", "ethics", "trust", "budget", "toolkit", "co-production"]


@pytest.fixture
def pages(home_page):
    library = LibraryPageFactory(parent=home_page)
    for n in range(40):
        words = [WORDS[(n + k) % len(WORDS)] for k in range(1 + n % 3)]
        ResourcePageFactory(
            parent=library,
            title=f"{words[0].title()} resource {n}",
            summary=" ".join(words * (1 + n % 4)),
            live=n % 9 != 0,
        )
    return library


def test_the_default_backend_is_wagtails_on_other_databases():
    from portal.search_backend import CleanQueryMixin

    backend = get_search_backend()
    # Every backend runs cleaned search texts (CleanQueryMixin), over Wagtail's own or, on SQLite, ours.
    if SQLITE:
        assert type(backend).__bases__ == (CleanQueryMixin, RankedSQLiteSearchBackend)
    else:
        assert type(backend).__bases__ == (CleanQueryMixin, type(database.SearchBackend({})))


@pytest.mark.skipif(not SQLITE, reason="the one-pass ranking is for SQLite's FTS5")
@pytest.mark.parametrize(
    "query", ["power", "ethics trust", "co-production", "resource", "absent", "Power  RESOURCE"]
)
@pytest.mark.parametrize("base", ["pages", "resources"])
def test_same_results_order_scores_and_counts_as_wagtails_backend(pages, query, base):
    queryset = Page.objects.live().specific() if base == "pages" else ResourcePage.objects.live()
    theirs = SQLiteSearchBackend({}).search(query, queryset, operator="and").annotate_score("_score")
    ours = RankedSQLiteSearchBackend({}).search(query, queryset, operator="and").annotate_score("_score")
    assert ours.count() == theirs.count()
    for window in (slice(0, 10), slice(10, 20), slice(5, None)):
        expected = [(p.pk, type(p), round(p._score, 9)) for p in theirs[window]]
        assert [(p.pk, type(p), round(p._score, 9)) for p in ours[window]] == expected
    assert ranked_ids(queryset, query) == [p.pk for p in theirs]
    if query != "absent":
        assert ours.count() > 0


@pytest.mark.skipif(not SQLITE, reason="the one-pass ranking is for SQLite's FTS5")
def test_autocomplete_and_unranked_searches_are_wagtails(pages):
    queryset = ResourcePage.objects.live()
    for method in ("autocomplete", "search"):
        theirs = getattr(SQLiteSearchBackend({}), method)("pow", queryset, order_by_relevance=False)
        ours = getattr(RankedSQLiteSearchBackend({}), method)("pow", queryset, order_by_relevance=False)
        assert [p.pk for p in ours] == [p.pk for p in theirs]
    theirs = SQLiteSearchBackend({}).autocomplete("pow", queryset)
    ours = RankedSQLiteSearchBackend({}).autocomplete("pow", queryset)
    assert [p.pk for p in ours] == [p.pk for p in theirs] and ours.count() > 0


def test_ranked_ids_unfiltered_keeps_every_indexed_match(pages):
    everything = ranked_ids(ResourcePage.objects.live(), "power", filtered=False)
    live = ranked_ids(ResourcePage.objects.live(), "power")
    assert set(live) <= set(everything)
    assert [pk for pk in everything if pk in set(live)] == live


@pytest.mark.skipif(SQLITE, reason="the index is for PostgreSQL's full-text search")
def test_postgresql_matches_use_the_title_and_body_index(pages):
    from django.db import connection as conn

    with conn.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'home_search_title_body_gin'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition.lower() and "title" in definition and "body" in definition
    assert ranked_ids(ResourcePage.objects.live(), "power")  # and searching still finds


@pytest.mark.parametrize("query", ["power", "ethics trust", "co-production", "resource", "absent"])
def test_best_first_is_wagtails_order_after_the_first_key(pages, query):
    """One query, on any database: the highest `first_by` first, then exactly Wagtail's own ranking,
    only the objects of the given queryset (whatever its filters)."""
    from django.db.models import Case, Value, When

    queryset = ResourcePage.objects.live().filter(summary__contains="power")
    first_by = Case(When(title__startswith="Power", then=Value(1)), default=Value(0))
    wagtails = [p.pk for p in database.SearchBackend({}).search(query, ResourcePage.objects.all())]
    allowed = set(queryset.values_list("pk", flat=True))
    titles = dict(ResourcePage.objects.values_list("pk", "title"))
    expected = sorted(
        (pk for pk in wagtails if pk in allowed),
        key=lambda pk: (-titles[pk].startswith("Power"), wagtails.index(pk)),
    )
    assert best_first(queryset, query, first_by) == expected
    assert best_first(queryset, query, first_by, 2, 5) == expected[2:5]
    with CaptureQueriesContext(connection) as ctx:
        best_first(queryset, query, first_by, 0, 10)
    assert len(ctx) == 1


def test_a_search_within_nothing_finds_nothing(home_page):
    """A queryset that can match nothing (`pk__in=[]`, Wagtail's form pages listing with no form
    pages) has no SQL: the one-pass ranking answered EmptyResultSet (a 500 at /admin/forms/results/)."""
    from wagtail.models import Page

    from portal.search_backend import ranked_ids

    assert ranked_ids(Page.objects.filter(pk__in=[]), "guide") == []
    assert list(get_search_backend().search("guide", Page.objects.filter(pk__in=[]))) == []
