"""Reading the library: the filtered listing with its facet counts, and the export rows.

What must stay true: the listing runs the same fixed set of queries whatever the filters, sort or
page: one for the page of results, two more when searching (the ranked matches), and, once after each
change to the site's content, three for the taxonomy and three for the facet index. No query depends
on how many results or options there are. `facet_counts` (SQL) is the definition the index's counts
are tested against.
"""

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.utils.functional import SimpleLazyObject

from portal.fragments import kept_pieces
from portal.pagecache import cached_value

from .facet_index import facet_index, search_matches
from .filters import FACETS, SORT_RELEVANCE, ResourceFilterSet

# The resource and tag modules, not the models package: the library page builds its listing from here.
from .models.resource import RESOURCES_PER_PAGE, ResourcePage
from .models.terms import Audience, ResourceType, Topic


def load_taxonomy():
    """The three term lists, in display order (from the shared cache until the content changes)."""
    return cached_value(
        "library:taxonomy",
        lambda: {
            "type": list(ResourceType.objects.order_by("name")),
            "topic": list(Topic.objects.order_by("name")),
            "audience": list(Audience.objects.order_by("name")),
        },
        stable=True,
        local=True,
    )


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


def facet_counts(filterset):
    """For each facet option, how many resources it would give with the other active filters.

    One grouped query per facet (never one per option), each counting over the resources that
    match every filter except that facet's own, plus one query that counts both the free-to-access
    box and the results themselves ("total"): both are counted over the resources matching every
    filter but "free only", the results with that filter's condition when it is on.
    """
    base = filterset.queryset

    def others(facet):
        # Ordering (the search ranking) is dropped, so that only the grouped column is selected.
        return filterset.filter_queryset(base, exclude={facet}).order_by()

    counts = {"type": dict(others("type").values_list("resource_type_id").annotate(n=Count("pk")))}
    for facet, relation in (("topic", "topics"), ("audience", "audiences")):
        # Grouping through the link table counts each resource once per term it has.
        counts[facet] = dict(others(facet).values_list(relation).annotate(n=Count("pk")))
    free = Q(is_free=True)
    free_only = bool(filterset.values.get("free"))
    counts.update(
        others("free").aggregate(
            free=Count("pk", filter=free),
            total=Count("pk", filter=free) if free_only else Count("pk"),
        )
    )
    return counts


def attach_terms(resources, index, taxonomy):
    """Sets `topic_list` and `audience_list` on each resource from the facet index (no query)."""
    for facet, attr in (("topic", "topic_list"), ("audience", "audience_list")):
        terms = {term.pk: term for term in taxonomy[facet]}
        for resource in resources:
            position = index.positions.get(resource.pk)
            ids = index.term_ids[facet][position] if position is not None else ()
            setattr(resource, attr, sorted((terms[i] for i in ids if i in terms), key=lambda t: t.name))
    return resources


def resource_cards(request, listing):
    """The HTML of each result's card, in order (`portal.fragments.kept_pieces`): a page whose cards
    are all kept reads none of its resources; otherwise one query loads the page's resources."""

    def load(missing):
        return listing["resources"]

    return kept_pieces(
        request, "library:card", listing["window"], load, "library/resource_card.html", "resource"
    )


def library_listing(library, params):
    """Everything the library page shows for one query string.

    Filtering, counting and ordering use the library's facet index (`library.facet_index`), so the
    page asks the database only for its own resources (and, when searching, for the ranked matches);
    `facet_counts` and `ResourceFilterSet.qs` define what the index must agree with.
    """
    taxonomy = load_taxonomy()
    filterset = build_filterset(library, params, taxonomy)
    index = facet_index(library)
    query = filterset.query
    ranked = matched = None
    if query:
        ranked, matched = search_matches(index, library, query)
    counts = index.counts(filterset, matched)
    count = counts["total"]

    paginator = Paginator(range(count), RESOURCES_PER_PAGE)
    number = _page_number(params.get("page", 1), paginator.num_pages)
    offset = (number - 1) * RESOURCES_PER_PAGE
    sort = filterset.sort_order
    window = index.window(
        index.select(filterset, matched),
        sort,
        offset,
        RESOURCES_PER_PAGE,
        ranked=ranked if sort == SORT_RELEVANCE else None,
        query=query,
    )

    def load_resources():
        found = library.resources().filter(pk__in=window or [0]).select_related("resource_type", "document")
        by_id = {resource.pk: resource for resource in found}
        return attach_terms([by_id[pk] for pk in window if pk in by_id], index, taxonomy)

    # Read from the database only when used: the page shows its results' cards, which are kept
    # (`resource_cards`), so a page whose cards are all kept asks for none of them.
    resources = SimpleLazyObject(load_resources)
    page_obj = PaginatorPage(window, number, paginator)

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
    return {
        "window": window,
        "form": filterset.form,
        "facets": facets,
        "free_count": counts["free"],
        "page_obj": page_obj,
        "resources": resources,
        "filterset": filterset,
        "count": count,
        "query": query,
        "sort": sort,
        "chips": chips,
        "errors": filterset.error_messages(),
        "is_filtered": bool(chips),
        # Everything the facet checkboxes show, so the template can keep their HTML (`stablecache`).
        "facets_key": repr(
            [(f["name"], [(o["slug"], o["count"], o["selected"]) for o in f["options"]]) for f in facets]
        ),
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
