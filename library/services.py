"""Reading the library: the filtered listing with its facet counts, and the export rows.

What must stay true: the listing is `ResourceFilterSet`'s SQL and nothing else (its results are
`ResourceFilterSet.qs`, its counts `facet_counts`), and it runs the same fixed set of queries whatever
the filters, sort or page and however many resources there are: one for the taxonomy, one for all
the counts, one for the page of results, and, when searching by best match, one for the ranking (the
page's results by id). Each reads the library's own columns and indexes on the resource row
(`ResourcePage.listed_in` and the columns after it), never joining the page tree or the tag links for
every resource, so the counts cost one pass over the library's counts index.
"""

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, F, IntegerField, Q, Value

from .filters import FACET_COLUMNS, FACETS, SORT_RELEVANCE, ResourceFilterSet

# The resource and tag modules, not the models package: the library page builds its listing from here.
from .models.resource import RESOURCES_PER_PAGE, ResourcePage
from .models.terms import Audience, ResourceType, Topic

TAXONOMY_MODELS = {"type": ResourceType, "topic": Topic, "audience": Audience}


def load_taxonomy():
    """The three term lists, in display order, read in one query (each term with what the listing
    uses: its id, name, slug and, for topics and audiences, its bit)."""
    parts = [
        model.objects.annotate(
            facet=Value(facet), term_bit=F("bit") if facet != "type" else Value(None, IntegerField())
        )
        .order_by()
        .values_list("facet", "pk", "name", "slug", "term_bit")
        for facet, model in TAXONOMY_MODELS.items()
    ]
    taxonomy = {facet: [] for facet in TAXONOMY_MODELS}
    for facet, pk, name, slug, bit in parts[0].union(*parts[1:], all=True).order_by("facet", "name"):
        extra = {} if facet == "type" else {"bit": bit}
        taxonomy[facet].append(TAXONOMY_MODELS[facet](pk=pk, name=name, slug=slug, **extra))
    return taxonomy


def build_filterset(library, params, taxonomy=None):
    taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
    return ResourceFilterSet(params, queryset=library.resources(), taxonomy=taxonomy)


def _page_number(raw, num_pages):
    """A page number from the query string; anything odd gives the first or the last page."""
    try:
        number = int(str(raw).strip())
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), num_pages)


# The filters with counts beside their options: each facet's counts leave out its own filter.
COUNTED = (*FACETS, "free")


def _rows(queryset):
    """A values_list queryset's rows as the database gives them: no per-row conversion by the ORM (the
    counts are integers, and the free flag's truth is all that is read)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def facet_counts(filterset):
    """For each facet option, how many resources it would give with the other active filters; how many
    the free-to-access box would give ("free"); and how many results there are ("total").

    One query, one pass over the library's counts index: its rows are grouped by type, free, topics
    and audiences, and each group is counted under each facet's conditions (all the active filters
    but that facet's own) as a `FILTER` clause; the filters no count leaves out (the search, the
    years) are the query's WHERE. The groups' counts are then added up per option: a group counts for
    its type, and for every topic and audience whose bit its columns hold.
    """
    conditions = filterset.conditions()
    counted = {name: condition for name, condition in conditions.items() if name in COUNTED}
    # A count leaving out a filter that is not active is the results' own count: one aggregate each
    # for the results and for every active counted filter (none at all for an unfiltered page).
    # Counting a column the counts index holds (never empty here), so PostgreSQL reads the index only.
    aggregates = {"n_total": Count("listed_in", filter=Q(*counted.values()))}
    for name in counted:
        others = (condition for other, condition in counted.items() if other != name)
        aggregates[f"n_{name}"] = Count("listed_in", filter=Q(*others))
    columns = [FACET_COLUMNS["type"], "is_free", FACET_COLUMNS["topic"], FACET_COLUMNS["audience"]]
    groups = (
        filterset.queryset.filter(*(c for name, c in conditions.items() if name not in COUNTED))
        .order_by()
        .values_list(*columns)
        .annotate(**aggregates)
    )
    names = ["n_total", *(f"n_{name}" if name in counted else "n_total" for name in COUNTED)]
    positions = [len(columns) + list(aggregates).index(name) for name in names]
    counts = {facet: {} for facet in FACETS} | {"free": 0, "total": 0}
    by_bits = {"topic": {}, "audience": {}}  # bits -> how many resources with exactly those terms
    for row in _rows(groups):
        type_id, is_free, topic_bits, audience_bits = row[:4]
        n_total, n_type, n_topic, n_audience, n_free = (row[position] for position in positions)
        if type_id is not None:
            counts["type"][type_id] = counts["type"].get(type_id, 0) + n_type
        by_bits["topic"][topic_bits] = by_bits["topic"].get(topic_bits, 0) + n_topic
        by_bits["audience"][audience_bits] = by_bits["audience"].get(audience_bits, 0) + n_audience
        if is_free:
            counts["free"] += n_free
        counts["total"] += n_total
    for facet, found in by_bits.items():
        per_bit = {}  # each group's count added to every term it holds: one step per term held
        for bits, n in found.items():
            while bits:
                lowest = bits & -bits
                per_bit[lowest] = per_bit.get(lowest, 0) + n
                bits ^= lowest
        for term in filterset.taxonomy[facet]:
            counts[facet][term.pk] = per_bit.get(term.mask, 0)
    return counts


def best_matches(filterset, offset, limit):
    """The ids of one page of a search's results, best match first, in `ResourceFilterSet.ranked`'s
    order (title hits, then the search backend's rank), in one query (`portal.search_backend.best_first`:
    on SQLite without the per-result score subquery `.qs` would run)."""
    from portal.search_backend import best_first  # the backend's models load after this app's

    others = filterset.filter_queryset(filterset.queryset, exclude={"q"})
    return best_first(others, filterset.query, filterset.title_hits(), offset, offset + limit)


def library_listing(library, params):
    """Everything the library page shows for one query string."""
    taxonomy = load_taxonomy()
    filterset = build_filterset(library, params, taxonomy)
    counts = facet_counts(filterset)
    count = counts["total"]

    paginator = Paginator(range(count), RESOURCES_PER_PAGE)
    number = _page_number(params.get("page", 1), paginator.num_pages)
    offset = (number - 1) * RESOURCES_PER_PAGE
    sort = filterset.sort_order
    cards = ResourcePage.objects.select_related("resource_type").defer("body")  # no card shows it
    if sort == SORT_RELEVANCE:
        window = best_matches(filterset, offset, RESOURCES_PER_PAGE)
        # Asked even for no match (`[0]`): the page's queries are the same whatever is found.
        found = {resource.pk: resource for resource in cards.filter(pk__in=window or [0])}
        resources = [found[pk] for pk in window if pk in found]
    else:
        listed = filterset.qs.select_related("resource_type").defer("body")
        resources = list(listed[offset : offset + RESOURCES_PER_PAGE])
    for resource in resources:
        resource.topic_list = [term for term in taxonomy["topic"] if resource.topic_bits & term.mask]
    page_obj = PaginatorPage(resources, number, paginator)

    values = filterset.values
    facets = []
    for facet, label in FACETS.items():
        selected = set(values.get(facet) or [])
        options = [
            {
                "slug": term.slug,
                "name": term.name,
                "count": counts[facet].get(term.pk, 0),
                "selected": term.slug in selected,
                "id": f"filter-{facet}-{term.slug}",
            }
            for term in taxonomy[facet]
        ]
        facets.append({"name": facet, "label": label, "options": options})

    chips = filterset.active_filters()
    applied = filterset.applied()
    if number > 1 and str(params.get("page", "")) == str(number):
        applied.append(("page", str(number)))
    return {
        "applied": applied,
        "form": filterset.form,
        "facets": facets,
        "free_count": counts["free"],
        "page_obj": page_obj,
        "resources": resources,
        "filterset": filterset,
        "count": count,
        "query": filterset.query,
        "sort": sort,
        "chips": chips,
        "errors": filterset.error_messages(),
        "is_filtered": bool(chips),
        # What the folded "Filter" control says is in force (the search box shows its own words).
        "filter_count": len(chips) - (1 if filterset.query else 0),
    }


EXPORT_FIELDS = [
    "title",
    "url",
    "summary",
    "type",
    "topics",
    "audiences",
    "author",
    "year",
    "external_url",
    "free",
    "featured",
    "first_published",
]


def export_rows(library, params, request=None):
    """Every resource matching the filters (not only one page), as plain dicts for CSV and JSON.

    Runs a fixed number of queries: the taxonomy, the results, and one each for topics and
    audiences. Rows are read as values, not page objects, so exporting 10,000 stays quick.
    """
    taxonomy = load_taxonomy()
    filterset = build_filterset(library, params, taxonomy)
    results_qs = filterset.qs
    rows_by_id = {}
    ordered = []
    for values in results_qs.values(
        "pk",
        "title",
        "slug",
        "summary",
        "resource_type_id",
        "author",
        "year",
        "external_url",
        "is_free",
        "is_featured",
        "first_published_at",
    ):
        rows_by_id[values["pk"]] = values
        values["topics"], values["audiences"] = [], []
        ordered.append(values)
    ids = results_qs.values("pk")
    for relation, column, facet in (
        ("topics", "topic_id", "topic"),
        ("audiences", "audience_id", "audience"),
    ):
        names = {term.pk: term.name for term in taxonomy[facet]}
        through = getattr(ResourcePage, relation).through
        for resource_id, term_id in through.objects.filter(resourcepage_id__in=ids).values_list(
            "resourcepage_id", column
        ):
            if resource_id in rows_by_id and term_id in names:
                rows_by_id[resource_id][relation].append(names[term_id])
    type_names = {term.pk: term.name for term in taxonomy["type"]}
    # Resources are always children of their library, so their addresses follow from its own
    # (resolving each page's site separately would cost a lookup per row).
    library_url = library.get_full_url(request) or library.url or ""
    return [
        {
            "title": values["title"],
            "url": f"{library_url}{values['slug']}/",
            "summary": values["summary"],
            "type": type_names.get(values["resource_type_id"], ""),
            "topics": sorted(values["topics"]),
            "audiences": sorted(values["audiences"]),
            "author": values["author"],
            "year": values["year"],
            "external_url": values["external_url"],
            "free": values["is_free"],
            "featured": values["is_featured"],
            "first_published": values["first_published_at"].date().isoformat()
            if values["first_published_at"]
            else "",
        }
        for values in ordered
    ]
