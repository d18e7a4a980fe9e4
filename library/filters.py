"""The library's filters: one FilterSet that the listing, its facet counts and the export share.

What must stay true:
- Every state is a plain GET query string (shareable, works without JavaScript).
- A bad parameter never raises: unknown taxonomy slugs are dropped, and values that do not parse
  (a year of "abc", an unknown sort) are left out of `cleaned_data` and reported in the form's errors.
- Choices come from taxonomy lists the caller loads once, so validating a request never queries
  the database: the query count of the page is the same whatever is selected.
"""

import operator
import re
from functools import reduce
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db import connections
from django.db.models import Case, F, Q, Value, When
from django.db.models.expressions import Col
from django.db.models.functions import Cast
from django.db.models.lookups import Exact, GreaterThan

from .models.resource import EARLIEST_YEAR, LATEST_YEAR, ResourcePage

SORT_RELEVANCE = "relevance"
SORT_NEWEST = "newest"
SORT_TITLE = "title"
SORT_CHOICES = [
    (SORT_RELEVANCE, "Best match (when searching)"),
    (SORT_NEWEST, "Newest first"),
    (SORT_TITLE, "Title A to Z"),
]

# The facets a visitor selects with checkboxes: parameter name -> label.
FACETS = {"type": "Type", "topic": "Topic", "audience": "Audience"}

# The two fixed orders, read from the listing's own columns on the resource row (its indexes hold them).
NEWEST_ORDER = ("-listing_year", "-listing_published_at", "-pk")
TITLE_ORDER = ("listing_title", "pk")

# facet -> the resource's column its counts are grouped by (bits: one per term, see BitTerm).
FACET_COLUMNS = {"type": "resource_type_id", "topic": "topic_bits", "audience": "audience_bits"}


def title_words(query):
    """The words of a search that rank a result up when its title contains them (at most ten)."""
    return re.findall(r"\w+", query)[:10]


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", EARLIEST_YEAR)
        kwargs.setdefault("max_value", LATEST_YEAR)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class YearFilter(django_filters.NumberFilter):
    field_class = YearField


def search_matches(query):
    """The ids of the resources matching a search (a subquery; the search backend's own matching,
    every word required), whatever library they are in."""
    from portal.search_backend import matching_ids  # the backend's models load after this app's

    return matching_ids(ResourcePage, query)


class ResourceFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("year_from"), cleaned.get("year_to")
        if start and end and start > end:
            # Reported, and both kept: the visitor sees why nothing matched rather than a silent swap.
            self.add_error("year_to", "The “to” year is before the “from” year, so nothing can match.")
            cleaned["year_to"] = end
        return cleaned


def _match_score_by_index(ranked):
    """Lets SQLite find each result's search score through the index entries' (type, id) index.

    The database backend scores each result with a subquery comparing the index entry's text
    `object_id` to the page's integer id; SQLite cannot use an index for a text-to-integer comparison,
    so it ran the full-text match once per result (about 150 ms for 250 results at 10,000 resources).
    Comparing with the id cast to text matches exactly the same entry (the backend stores
    `str(pk)`), and the index finds it directly. Anything shaped differently is left untouched.
    """
    if connections[ranked.db].vendor != "sqlite":
        return
    score = ranked.query.annotations.get("_score")
    inner = getattr(score, "query", None)
    if inner is None:
        return
    for lookup in inner.where.children:
        if (
            isinstance(lookup, Exact)
            and isinstance(lookup.lhs, Col)
            and isinstance(lookup.rhs, Col)
            and lookup.lhs.target.name == "object_id"
        ):
            lookup.rhs = Cast(lookup.rhs, output_field=lookup.lhs.output_field)


class ResourceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="apply", label="Search the library", max_length=200)
    type = django_filters.MultipleChoiceFilter(
        method="apply", label="Type", widget=forms.CheckboxSelectMultiple
    )
    topic = django_filters.MultipleChoiceFilter(
        method="apply", label="Topic", widget=forms.CheckboxSelectMultiple
    )
    audience = django_filters.MultipleChoiceFilter(
        method="apply", label="Audience", widget=forms.CheckboxSelectMultiple
    )
    year_from = YearFilter(method="apply", label="From year")
    year_to = YearFilter(method="apply", label="To year")
    free = django_filters.BooleanFilter(
        method="apply", label="Free to access only", widget=forms.CheckboxInput
    )
    sort = django_filters.ChoiceFilter(
        method="filter_nothing", label="Sort by", choices=SORT_CHOICES, empty_label=None
    )

    # Every filter is a condition on the resource row (`condition`); the search is a condition too
    # (its matches), so the filters apply in any order and the facet counts can leave any one out.
    order = ["q", "type", "topic", "audience", "year_from", "year_to", "free"]

    class Meta:
        model = ResourcePage
        fields = []
        form = ResourceFilterForm

    def __init__(self, data=None, *args, taxonomy, **kwargs):
        """`taxonomy` maps each facet ("type", "topic", "audience") to its terms (already loaded)."""
        self.taxonomy = taxonomy
        self.ids_by_slug = {facet: {t.slug: t.pk for t in terms} for facet, terms in taxonomy.items()}
        self.ignored = []
        data = self._drop_unknown_slugs(data)
        super().__init__(data, *args, **kwargs)
        for facet, terms in taxonomy.items():
            self.filters[facet].extra["choices"] = [(t.slug, t.name) for t in terms]

    def _drop_unknown_slugs(self, data):
        if data is None:
            return None
        data = data.copy()
        for facet, ids in self.ids_by_slug.items():
            values = data.getlist(facet) if hasattr(data, "getlist") else data.get(facet, [])
            if isinstance(values, str):
                values = [values]
            known = []
            for value in values:
                if value in ids and value not in known:
                    known.append(value)
                elif value not in ids and value != "":
                    self.ignored.append(
                        f"{FACETS[facet]} “{value[:50]}” is not in the library, so it was ignored."
                    )
            if hasattr(data, "setlist"):
                data.setlist(facet, known)
            else:
                data[facet] = known
        return data

    # The value each filter was given, once the form is validated (invalid values are absent).
    @property
    def values(self):
        if not hasattr(self, "_values"):
            self.form.is_valid()
            self._values = dict(self.form.cleaned_data)
        return self._values

    @property
    def query(self):
        return (self.values.get("q") or "").strip()

    @property
    def sort_order(self):
        sort = self.values.get("sort") or ""
        if sort == SORT_RELEVANCE and not self.query:
            return SORT_NEWEST
        return sort or (SORT_RELEVANCE if self.query else SORT_NEWEST)

    def conditions(self):
        """{filter name: Q} for every active filter, in `order` (invalid values are not active); made
        once per filterset (the counts and the results both read them; the search's costs a lookup)."""
        if getattr(self, "_conditions", None) is not None:
            return self._conditions
        found = self._conditions = {}
        for name in self.order:
            value = self.values.get(name)
            if value in (None, "", [], (), False):
                continue
            condition = self.condition(name, value)
            if condition is not None:
                found[name] = condition
        return found

    def condition(self, name, value):
        """The Q a filter's value stands for (None: it filters nothing)."""
        if name == "q":
            from portal.search_backend import clean_query  # the backend's models load after this app's

            value = clean_query(value)  # what the backend would search for: nothing, or words
            return Q(pk__in=search_matches(value)) if value else None
        if name == "type":
            return Q(resource_type_id__in=self._slugs_to_ids("type", value))
        if name in ("topic", "audience"):
            mask = 0
            for term in self.taxonomy[name]:
                if term.slug in value:
                    mask |= term.mask
            return Q(GreaterThan(F(FACET_COLUMNS[name]).bitand(mask), 0))
        if name == "year_from":
            return Q(year__gte=value)
        if name == "year_to":
            return Q(year__lte=value)
        if name == "free":
            return Q(is_free=True)
        return None

    def filter_queryset(self, queryset, exclude=()):
        """Applies every filter except those named in `exclude` (facet counts leave their own out)."""
        for name, condition in self.conditions().items():
            if name not in exclude:
                queryset = queryset.filter(condition)
        return queryset

    def ordered(self, queryset):
        """`queryset` (filtered) in the listing's order: best match first when searching and sorting
        by relevance, else by the two fixed orders."""
        if self.sort_order == SORT_TITLE:
            return queryset.order_by(*TITLE_ORDER)
        if self.sort_order == SORT_NEWEST or not self.query:
            return queryset.order_by(*NEWEST_ORDER)
        return self.ranked(queryset)

    def ranked(self, queryset):
        """`queryset` (matching the search) best match first: the more of the query's words in the title,
        the higher; then the search backend's rank (its score, then the newer page). The listing page
        reads the same order without the per-result score (`library.services.best_matches`)."""
        value = self.query
        results = self.queryset.search(value, operator="and", order_by_relevance=True).annotate_score(
            "_score"
        )
        ranked = results.get_queryset()
        _match_score_by_index(ranked)
        ranked = ranked.filter(pk__in=queryset.order_by().values("pk"))
        return ranked.annotate(_title_hits=self.title_hits()).order_by("-_title_hits", *ranked.query.order_by)

    def title_hits(self):
        """How many of the query's words a resource's title holds (as an SQL expression)."""
        words = title_words(self.query)
        if not words:
            return Value(0)
        return reduce(
            operator.add, (Case(When(listing_title__icontains=word, then=1), default=0) for word in words)
        )

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            self._qs = self.ordered(self.filter_queryset(self.queryset.all()))
        return self._qs

    # Filter methods (django-filter's; each applies its condition) ----------------------------------

    def apply(self, queryset, name, value):
        condition = self.condition(name, value)
        return queryset if condition is None else queryset.filter(condition)

    def _slugs_to_ids(self, facet, slugs):
        ids = self.ids_by_slug[facet]
        return [ids[slug] for slug in slugs if slug in ids]

    def filter_nothing(self, queryset, name, value):
        return queryset

    # Chips: one per active filter value, each with the query string that removes it ---------------

    def active_filters(self):
        values = self.values
        chips = []

        def without(name, value=None):
            # The pairs a QueryDict would hold, encoded as its urlencode() does (each pair quoted).
            params = []
            for key in ("q", "type", "topic", "audience", "year_from", "year_to", "free", "sort"):
                current = values.get(key)
                if current in (None, "", [], False):
                    continue
                if isinstance(current, list):
                    params.extend((key, v) for v in current if not (key == name and v == value))
                elif key != name:
                    params.append((key, "1" if current is True else str(current)))
            if name == "q":
                # "Best match" means nothing without a search.
                params = [(key, v) for key, v in params if not (key == "sort" and v == SORT_RELEVANCE)]
            return urlencode(params)

        if self.query:
            chips.append({"label": f"Search: “{self.query}”", "query": without("q")})
        for facet, terms in self.taxonomy.items():
            names = {t.slug: t.name for t in terms}
            for slug in values.get(facet) or []:
                chips.append({"label": f"{FACETS[facet]}: {names[slug]}", "query": without(facet, slug)})
        if values.get("year_from"):
            chips.append({"label": f"From {values['year_from']}", "query": without("year_from")})
        if values.get("year_to"):
            chips.append({"label": f"To {values['year_to']}", "query": without("year_to")})
        if values.get("free"):
            chips.append({"label": "Free to access", "query": without("free")})
        return chips

    def applied(self):
        """The (name, value) pairs of what this listing applies, each as the query string gives it when
        it is canonical: no invalid or reported value (those are shown above the form), no default
        (the sort a listing has anyway), no duplicate. The page cache stores a response only for
        exactly these (`portal.cache.vary_on_query`)."""
        values, reported = self.values, set(self.form.errors)
        pairs = [("q", self.query)] if self.query and "q" not in reported else []
        for facet in FACETS:
            pairs.extend((facet, slug) for slug in values.get(facet) or [])
        for name in ("year_from", "year_to"):
            if values.get(name) is not None and name not in reported:
                pairs.append((name, str(values[name])))
        if values.get("free") and "free" not in reported:
            pairs.append(("free", "1"))
        if self.sort_order != (SORT_RELEVANCE if self.query else SORT_NEWEST):
            pairs.append(("sort", self.sort_order))
        return pairs

    def error_messages(self):
        """Human messages for every parameter that was ignored or not understood."""
        messages = list(self.ignored)
        self.form.is_valid()
        for name, errors in self.form.errors.items():
            label = self.form.fields[name].label if name in self.form.fields else "Filters"
            messages.extend(f"{label}: {error}" for error in errors)
        return messages


# The listing's filter parameters a feed keeps (paging and sorting mean nothing to a feed).
FEED_PARAMETERS = ("q", *FACETS, "year_from", "year_to", "free")


def feed_query(params):
    """The part of a listing's query string that says which resources a feed holds."""
    kept = params.copy()
    for key in list(kept):
        if key not in FEED_PARAMETERS:
            kept.pop(key)
    return kept.urlencode()
