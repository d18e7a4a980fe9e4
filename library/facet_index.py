"""The library's facet index: what the listing needs to filter, count and order every resource without
asking the database again, rebuilt once after the site's content changes.

Each resource has a *position*: its place in "newest first" order. A set of resources is a Python int
whose bit n is set when the resource at position n is in the set, so applying filters is `&` and `|`
and a facet count is `int.bit_count()`: microseconds for 10,000 resources, whatever is selected. The
database is asked only for the page of results shown (one query) and, when searching, for the ranked
matches (`portal.search_backend.ranked_ids`).

What must stay true: for every query string, the listing built from the index shows the same results,
in the same order, with the same counts, as `ResourceFilterSet.qs` and SQL counting would
(tests/library/test_facet_index.py checks this for random combinations of every filter).

The index is cached with `cached_value(..., stable=True, local=True)`: in the shared cache and in each
process, keyed by the site generation, which every change to a resource, a term, a page or the search
index raises (registrations do not). A listing rendered while a change commits may use the index from
just before it, as any page rendered then would; it is never stored under the new generation.
"""

from dataclasses import dataclass

from portal.pagecache import cached_value

from .filters import FACETS, NEWEST_ORDER, SORT_TITLE, TITLE_ORDER, title_words
from .models.resource import ResourcePage

# facet -> (the resource's many-to-many relation, its column in the link table); "type" is a column.
_RELATIONS = {"topic": ("topics", "topic_id"), "audience": ("audiences", "audience_id")}


def _bitmap(positions, size):
    """An int with the given bits set, built in one pass (OR-ing bit by bit would be quadratic)."""
    buffer = bytearray((size + 7) // 8)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


@dataclass(frozen=True)
class FacetIndex:
    ids: tuple  # position -> resource id, newest first
    positions: dict  # resource id -> position
    by_title: tuple  # positions, in title order
    titles: tuple  # position -> title, lower-cased (searches rank title matches first)
    everything: int
    terms: dict  # facet -> {term id: bitmap}
    term_ids: dict  # facet -> position -> tuple of term ids (the cards' topic and audience lists)
    free: int
    years: dict  # year -> bitmap

    @classmethod
    def build(cls, resources):
        """Reads the index from `resources` (a library's live, public resources): three queries."""
        rows = list(
            resources.order_by(*NEWEST_ORDER).values_list(
                "pk", "title", "resource_type_id", "is_free", "year"
            )
        )
        size = len(rows)
        positions = {row[0]: n for n, row in enumerate(rows)}
        by_title = tuple(
            positions[pk] for pk in resources.order_by(*TITLE_ORDER).values_list("pk", flat=True)
        )
        members = {facet: {} for facet in FACETS}
        term_ids = {}
        free, years = [], {}
        for n, (_pk, _title, type_id, is_free, year) in enumerate(rows):
            if type_id is not None:
                members["type"].setdefault(type_id, []).append(n)
            if is_free:
                free.append(n)
            if year is not None:
                years.setdefault(year, []).append(n)
        ids = resources.values("pk")
        for facet, (relation, column) in _RELATIONS.items():
            through = getattr(ResourcePage, relation).through
            links = through.objects.filter(resourcepage_id__in=ids).values_list("resourcepage_id", column)
            lists = [[] for _ in range(size)]
            for resource_id, term_id in links:
                n = positions.get(resource_id)
                if n is not None:
                    members[facet].setdefault(term_id, []).append(n)
                    lists[n].append(term_id)
            term_ids[facet] = tuple(tuple(found) for found in lists)
        return cls(
            ids=tuple(row[0] for row in rows),
            positions=positions,
            by_title=by_title,
            titles=tuple(row[1].lower() for row in rows),
            everything=(1 << size) - 1,
            terms={
                facet: {term: _bitmap(found, size) for term, found in by_term.items()}
                for facet, by_term in members.items()
            },
            term_ids=term_ids,
            free=_bitmap(free, size),
            years={year: _bitmap(found, size) for year, found in years.items()},
        )

    # Selecting -----------------------------------------------------------------------------------

    def _any_of(self, facet, term_ids):
        bits = 0
        for term_id in term_ids:
            bits |= self.terms[facet].get(term_id, 0)
        return bits

    def _years(self, keep):
        bits = 0
        for year, members in self.years.items():
            if keep(year):
                bits |= members
        return bits

    def select(self, filterset, matched=None, exclude=()):
        """The resources matching every active filter of `filterset` except those in `exclude`, as
        ResourceFilterSet.filter_queryset does. `matched`: the search's matches, when searching."""
        values = filterset.values
        bits = self.everything
        if matched is not None:
            bits &= matched
        for facet in FACETS:
            if facet not in exclude and values.get(facet):
                bits &= self._any_of(facet, filterset._slugs_to_ids(facet, values[facet]))
        year_from, year_to = values.get("year_from"), values.get("year_to")
        if year_from not in (None, "") and "year_from" not in exclude:
            bits &= self._years(lambda year: year >= year_from)
        if year_to not in (None, "") and "year_to" not in exclude:
            bits &= self._years(lambda year: year <= year_to)
        if values.get("free") and "free" not in exclude:
            bits &= self.free
        return bits

    def matched(self, ranked):
        """The bitmap of a search's matches (ids outside this library are left out)."""
        positions = self.positions
        return _bitmap((positions[pk] for pk in ranked if pk in positions), len(self.ids))

    # Counting and ordering -----------------------------------------------------------------------

    def counts(self, filterset, matched=None):
        """Facet counts as `library.services.facet_counts` defines them, without a query."""
        counts = {}
        for facet in FACETS:
            others = self.select(filterset, matched, exclude={facet})
            counts[facet] = {
                term_id: (others & members).bit_count() for term_id, members in self.terms[facet].items()
            }
        others = self.select(filterset, matched, exclude={"free"})
        counts["free"] = (others & self.free).bit_count()
        counts["total"] = self.select(filterset, matched).bit_count()
        return counts

    def window(self, bits, sort, offset, limit, ranked=None, query=""):
        """Resource ids of `bits` in the listing's order, from `offset`, at most `limit` of them."""
        if not bits:
            return []
        if ranked is not None:  # searching, by relevance: title matches first, then the backend's rank
            positions = self.positions
            found = [positions[pk] for pk in ranked if pk in positions and bits >> positions[pk] & 1]
            words = [word.lower() for word in title_words(query)]
            titles = self.titles
            found.sort(key=lambda n: -sum(word in titles[n] for word in words))
            return [self.ids[n] for n in found[offset : offset + limit]]
        # The bitmap as a string, lowest bit first, so that flags[n] says whether position n is in.
        flags = format(bits, "b")[::-1]
        wanted = offset + limit
        chosen = []
        if sort == SORT_TITLE:
            length = len(flags)
            for n in self.by_title:
                if n < length and flags[n] == "1":
                    chosen.append(n)
                    if len(chosen) == wanted:
                        break
        else:  # newest first: position order
            n = flags.find("1")
            while n != -1 and len(chosen) < wanted:
                chosen.append(n)
                n = flags.find("1", n + 1)
        return [self.ids[n] for n in chosen[offset:]]


def facet_index(library):
    """The library's index, from this process or the shared cache until the site's content changes."""
    return cached_value(
        f"library:facet-index:{library.pk}",
        lambda: FacetIndex.build(library.resources()),
        stable=True,
        local=True,
    )


def search_matches(index, library, query):
    """(ranked ids, bitmap) of a library search: one ranked query to the search backend (the index
    keeps only this library's resources)."""
    from portal.search_backend import ranked_ids  # the backend's models load after this app's

    ranked = ranked_ids(library.resources(), query, filtered=False, kept_as=f"library:{library.pk}")
    return ranked, index.matched(ranked)
