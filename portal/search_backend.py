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
from modelsearch.backends import database
from wagtail.search.backends import get_search_backend


def SearchBackend(params):  # noqa: N802 (Wagtail looks the backend up by this name)
    backend = database.SearchBackend(params)
    if connection.vendor == "sqlite":
        from .search_sqlite import RankedSQLiteSearchBackend, SQLiteSearchBackend

        if type(backend) is SQLiteSearchBackend:
            return RankedSQLiteSearchBackend(params)
    return backend


def ranked_ids(queryset, query, operator="and", limit=None, filtered=True):
    """Primary keys of `queryset`'s objects matching `query`, best match first, on any backend.

    ``filtered=False`` lets the SQLite backend skip applying `queryset`'s filters (one query less) and
    return every indexed object of its model that matches, for a caller that keeps only its own ids.
    """
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
    first, then in the search backend's order. One query on a database backend: on SQLite the
    one-pass ranking, reading `first_by` from `queryset` for each match; elsewhere the backend's
    ranked query, filtered to `queryset` (whose filters need not be the backend's filter fields).
    """
    everything = queryset.model._default_manager.all()
    results = get_search_backend().search(query, everything, operator=operator, order_by_relevance=True)
    compiler = results.query_compiler
    if hasattr(compiler, "best_first"):  # portal.search_sqlite's compilers
        found = compiler.best_first(queryset, first_by, start, stop)
        if found is not None:
            return found
    if not hasattr(results, "get_queryset"):  # Elasticsearch, OpenSearch: rank, then read `first_by`
        rank = {obj.pk: n for n, obj in enumerate(results)}
        first = dict(queryset.filter(pk__in=rank).annotate(_first=first_by).values_list("pk", "_first"))
        return sorted(first, key=lambda pk: (-first[pk], rank[pk]))[start:stop]
    ranked = results.get_queryset().filter(pk__in=queryset.order_by().values("pk"))
    ranked = ranked.annotate(_first=first_by).order_by("-_first", *ranked.query.order_by)
    return list(ranked.values_list("pk", flat=True)[start:stop])
