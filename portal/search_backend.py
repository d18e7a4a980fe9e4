"""The search backend: Wagtail's database backend, with ranked SQLite searches done in one pass.

Wagtail's SQLite (FTS5) backend ranks results with a subquery per result that runs the full-text match
again, so a search matching 1,300 of 10,000 resources took 0.2-0.4 s for one page of ten. Here a ranked
search reads every match's score in a single pass over the full-text index, keeps the ones the caller's
queryset allows (one query), sorts them in Python exactly as Wagtail orders them (score, then newest
id) and loads only the page asked for. The ranking is computed once per search and shared by its
`count()` and every slice of it. Everything else (indexing, unranked, negated or faceted searches,
`get_queryset()`) is Wagtail's own. On PostgreSQL and MySQL the backend is Wagtail's, unchanged: their
ranking runs inside the one query.

Why it is kept (README, "Search on SQLite"): a library search at 10,000 resources ranks its matches per
result with Wagtail's backend (about 200 ms a page at best, a second to rank "co-production"'s 1,300
matches) and in one pass here (a few ms).

`ranked_ids(queryset, query)` gives the ranked primary keys of a search on any backend, for callers
(the site search, the library's best matches) that page or order by them.
"""

from django.db import connection
from django.db.models import F, IntegerField, OuterRef, Subquery
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast
from modelsearch.backends import database
from modelsearch.query import And, Or, Phrase, PlainText
from modelsearch.utils import get_descendants_content_types_pks
from wagtail.search.backends import get_search_backend


def SearchBackend(params):  # noqa: N802 (Wagtail looks the backend up by this name)
    backend_class = type(database.SearchBackend(params))
    if connection.vendor == "sqlite":
        from .search_sqlite import RankedSQLiteSearchBackend, SQLiteSearchBackend

        if backend_class is SQLiteSearchBackend:
            backend_class = RankedSQLiteSearchBackend
    cleaned = type(f"Cleaned{backend_class.__name__}", (CleanQueryMixin, backend_class), {})
    return cleaned(params)


def clean_query(query):
    """A search text every backend can run: no NUL (PostgreSQL stores and compares none), no double
    quote (the SQLite full-text backend puts each word in double quotes without escaping them, so one in
    the text was "unterminated string"), spaces collapsed (only spaces is no search, as an empty text
    is)."""
    return " ".join(query.replace("\x00", " ").replace('"', " ").split())


class CleanQueryMixin:
    """Every search and autocomplete (the site search, the library, the API) runs a cleaned text."""

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        if isinstance(query, str):
            query = clean_query(query)
        return super()._search(query_compiler_class, query, model_or_queryset, **kwargs)


def ranked_ids(queryset, query, operator="and", limit=None, filtered=True):
    """Primary keys of `queryset`'s objects matching `query`, best match first, on any backend.

    ``filtered=False`` lets the SQLite backend skip applying `queryset`'s filters (one query less) and
    return every indexed object of its model that matches, for a caller that keeps only its own ids.
    """
    if isinstance(query, str) and not clean_query(query):
        return []  # nothing to search for (the backend's empty results have no compiler)
    results = get_search_backend().search(query, queryset, operator=operator, order_by_relevance=True)
    compiler = results.query_compiler
    if hasattr(compiler, "ranked"):  # portal.search_sqlite's compilers
        if not filtered:
            scores = compiler.scores()
            if scores is not None:
                # Wagtail's order: score, then the higher id first.
                pairs = sorted((score, -int(object_id)) for object_id, score in scores.items())
                return [-negated for _score, negated in pairs[:limit]]
        ranked = compiler.ranked()
        if ranked is not None:
            return [pk for _score, pk in ranked[:limit]]
    if hasattr(results, "get_queryset"):  # the other database backends: one ranked query
        return list(results.get_queryset().values_list("pk", flat=True)[:limit])
    return [obj.pk for obj in results[:limit]]  # Elasticsearch, OpenSearch


def best_first(queryset, query, first_by, start=0, stop=None, operator="and"):
    """Primary keys of `queryset`'s objects matching `query`, from `start` to `stop`: the highest
    `first_by` (an expression on the model, such as how many of the query's words a title holds)
    first, then in the search backend's order. One query on a database backend, reading the index
    entries and scoring only the matches `queryset` holds: on SQLite the one-pass ranking, on
    PostgreSQL Wagtail's score over the entries' own columns (its queryset joins every row of the
    model and scores every match before filtering: 300 ms at 100,000 resources); elsewhere the
    backend's ranking, then `first_by` read from `queryset`.
    """
    if isinstance(query, str) and not clean_query(query):
        return []
    everything = queryset.model._default_manager.all()
    results = get_search_backend().search(query, everything, operator=operator, order_by_relevance=True)
    compiler = results.query_compiler
    if hasattr(compiler, "best_first"):  # portal.search_sqlite's compilers
        found = compiler.best_first(queryset, first_by, start, stop)
        if found is not None:
            return found
    entries = _postgres_entries(queryset.model, results)
    if entries is not None:
        config = compiler.get_config(results.backend)
        # Wagtail's PostgreSQL score (PostgresSearchQueryCompiler.get_index_vectors), on the entry.
        vectors = [(F("title"), F("title_norm")), (F("body"), 1.0)]
        score = sum(
            compiler.build_tsrank(vector, compiler.query, config=config) * boost for vector, boost in vectors
        )
        row = queryset.filter(pk=OuterRef("object_pk")).order_by().annotate(_first=first_by)
        ranked = (
            entries.filter(object_pk__in=queryset.order_by().values("pk"))
            .annotate(score=score, first=Subquery(row.values("_first")[:1]))
            .order_by("-first", "-score", "-object_pk")
        )
        return list(ranked.values_list("object_pk", flat=True)[start:stop])
    if not hasattr(results, "get_queryset"):  # Elasticsearch, OpenSearch: rank, then read `first_by`
        rank = {obj.pk: n for n, obj in enumerate(results)}
        first = dict(queryset.filter(pk__in=rank).annotate(_first=first_by).values_list("pk", "_first"))
        return sorted(first, key=lambda pk: (-first[pk], rank[pk]))[start:stop]
    ranked = results.get_queryset().filter(pk__in=queryset.order_by().values("pk"))
    ranked = ranked.annotate(_first=first_by).order_by("-_first", *ranked.query.order_by)
    return list(ranked.values_list("pk", flat=True)[start:stop])


def _postgres_entries(model, results):
    """The index entries matching a PostgreSQL search (through their title-and-body index), each with
    its object's primary key as `object_pk`; None for any other backend or kind of query."""
    compiler = results.query_compiler
    if not (
        connection.vendor == "postgresql"
        and hasattr(compiler, "build_tsquery")
        and compiler.fields is None
        and isinstance(compiler.query, PlainText | Phrase | And | Or)
    ):
        return None
    # The search app's models: this module is imported while the apps load (Wagtail's settings).
    from wagtail.search.models import IndexEntry

    tsquery = compiler.build_tsquery(compiler.query, config=compiler.get_config(results.backend))
    return (
        IndexEntry.objects.filter(content_type_id__in=get_descendants_content_types_pks(model))
        .annotate(_vector_=CombinedExpression(F("title"), "||", F("body")))
        .filter(_vector_=tsquery)
        .annotate(object_pk=Cast("object_id", IntegerField()))
    )


def matching_ids(model, query, operator="and"):
    """A subquery of the primary keys of `model`'s objects matching `query` (the backend's own matching,
    unranked), for a filter such as `pk__in=`. On PostgreSQL it reads the index entries alone, through
    their title-and-body index, where Wagtail's queryset joins every row of the model to its entry
    (comparing ids as text): half the time for a word in 13,000 of 100,000 resources."""
    if isinstance(query, str) and not clean_query(query):
        # Matches nothing, and still compiles to SQL for a caller that reads the query's text (.none()
        # raises EmptyResultSet there).
        return model._default_manager.filter(pk__isnull=True).values("pk")
    results = get_search_backend().search(
        query, model._default_manager.all(), operator=operator, order_by_relevance=False
    )
    entries = _postgres_entries(model, results)
    if entries is not None:
        return entries.values("object_pk")
    return results.get_queryset().order_by().values("pk")


def purge_after_indexing(sender, task_result, **kwargs):
    """The index is written by a task (a worker's raw SQL, no model signal): cached searches follow it."""
    if task_result.task.module_path == "modelsearch.tasks.insert_or_update_object_task":
        from django.apps import apps
        from wagtail.models import Page

        from .cache import purge

        app_label, model_name, pk = task_result.args
        is_page = issubclass(apps.get_model(app_label, model_name), Page)
        page = Page.objects.filter(pk=pk).only("url_path").first() if is_page else None
        purge(*([page] if page else ["*"]), listings=True)
