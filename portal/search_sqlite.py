"""The SQLite part of portal/search_backend.py (imported only when the database is SQLite: Wagtail's
SQLite search models exist only there)."""

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BigIntegerField, OuterRef, Subquery
from django.db.models.functions import Cast
from modelsearch.backends.database.sqlite.query import MatchExpression, normalize
from modelsearch.backends.database.sqlite.sqlite import (
    SQLiteAutocompleteQueryCompiler,
    SQLiteFTSIndexEntry,
    SQLiteSearchBackend,
    SQLiteSearchQueryCompiler,
    SQLiteSearchResults,
)
from modelsearch.query import MatchAll, Not
from modelsearch.utils import get_descendants_content_types_pks


def _rows(queryset):
    """A values_list queryset's rows read with a plain cursor: for a thousand matches, the ORM's
    per-row converters cost more than the full-text search itself (the values are ints, floats and
    text, which need no conversion)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a queryset that can match nothing (pk__in=[]) has no SQL
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class RankedMixin:
    """For Wagtail's SQLite query compilers (search and autocomplete): the ranking in one pass."""

    def scored_entries(self):
        """The matching index entries annotated with their `score`, read in one pass over the full-text
        index; None when this search is not a plain ranked match (Wagtail's own path handles those)."""
        if not self.order_by_relevance:
            return None
        normalized = normalize(self.query)
        if isinstance(normalized, (MatchAll, Not)):
            return None
        config = None  # the SQLite backend has no configuration
        search_query = self.build_search_query(normalized, config=config)
        match = MatchExpression(self.fields or self.FTS_TABLE_FIELDS, search_query)
        rank = self._build_rank_expression(self.get_search_vectors(), config)
        return (
            SQLiteFTSIndexEntry.objects.filter(match)
            .filter(index_entry__content_type__in=get_descendants_content_types_pks(self.queryset.model))
            .annotate(score=rank)
        )

    def best_first(self, allowed, first_by, start, stop):
        """The primary keys of `allowed`'s matches from `start` to `stop`, highest `first_by` first, then
        in Wagtail's order (score, then the higher id), in one query: each match's `first_by` is read
        from its row in `allowed`, which leaves out the matches `allowed` does not hold. None when
        this search is not a plain ranked match."""
        entries = self.scored_entries()
        if entries is None:
            return None
        # Index entries hold the object's id as text: compared as a number, the row is found by its key.
        row = Cast(OuterRef("index_entry__object_id"), output_field=BigIntegerField())
        first = allowed.filter(pk=row).order_by().annotate(_first=first_by).values("_first")[:1]
        ranked = (
            entries.annotate(
                first=Subquery(first),
                object_pk=Cast("index_entry__object_id", output_field=BigIntegerField()),
            )
            .filter(first__isnull=False)
            .order_by("-first", "score", "-object_pk")
        )
        return [object_pk for (object_pk,) in _rows(ranked.values_list("object_pk")[start:stop])]

    def scores(self):
        """{object id (text): score} for every match, in one pass; None when this search is not a
        plain ranked match (Wagtail's own path handles those)."""
        entries = self.scored_entries()
        if entries is None:
            return None
        self._matched_ids = entries.values("index_entry__object_id")
        scores = {}
        for object_id, score in _rows(entries.values_list("index_entry__object_id", "score")):
            # One entry per object in practice; the best (lowest) score wins if ever there were two.
            if object_id not in scores or score < scores[object_id]:
                scores[object_id] = score
        return scores

    def ranked(self):
        """The allowed matches' primary keys, best first (Wagtail's order: score, then higher id)."""
        if not hasattr(self, "_ranked"):
            scores = self.scores()
            if scores is None:
                self._ranked = None
            else:
                allowed = _rows(self.queryset.filter(pk__in=self._matched_ids).order_by().values_list("pk"))
                pairs = [(scores.get(str(pk)), pk) for (pk,) in allowed]
                pairs = [(score, pk) for score, pk in pairs if score is not None]
                pairs.sort(key=lambda pair: (pair[0], -pair[1]))
                self._ranked = pairs
        return self._ranked


class RankedSQLiteSearchQueryCompiler(RankedMixin, SQLiteSearchQueryCompiler):
    pass


class RankedSQLiteAutocompleteQueryCompiler(RankedMixin, SQLiteAutocompleteQueryCompiler):
    pass


class RankedSQLiteSearchResults(SQLiteSearchResults):
    def _ranked(self):
        compiler = self.query_compiler
        return compiler.ranked() if isinstance(compiler, RankedMixin) else None

    def _do_search(self):
        ranked = self._ranked()
        if ranked is None:
            return super()._do_search()
        window = ranked[self.start : self.stop]
        objects = (
            self.query_compiler.queryset.filter(pk__in=[pk for _score, pk in window]).order_by().in_bulk()
        )
        results = []
        for score, pk in window:
            obj = objects.get(pk)
            if obj is None:  # gone since the ranking was read
                continue
            if self._score_field:
                setattr(obj, self._score_field, score)
            results.append(obj)
        return results

    def _do_count(self):
        ranked = self._ranked()
        if ranked is None:
            return super()._do_count()
        return len(ranked)


class RankedSQLiteSearchBackend(SQLiteSearchBackend):
    query_compiler_class = RankedSQLiteSearchQueryCompiler
    autocomplete_query_compiler_class = RankedSQLiteAutocompleteQueryCompiler
    results_class = RankedSQLiteSearchResults
