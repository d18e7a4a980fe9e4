"""The performance pass on the library listing: bulk-created synthetic resources are searchable, and
the one query that counts both the results and the free-to-access box gives the same numbers as
counting the listed resources directly."""

import pytest

from library.demo import build_synthetic, index_synthetic
from library.factories import bulk_create_resources, synthetic_specs
from library.models import ResourcePage

# These read the listing from the response's context, which a page served from the cache has not.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


def listing(client, library, query=""):
    response = client.get(f"{library.url}?{query}")
    assert response.status_code == 200
    return response.context["listing"]


def test_bulk_created_synthetic_resources_are_in_the_search_index(client, library, taxonomy):
    assert build_synthetic(library, 30) == 30
    # Every synthetic summary ends "for benchmarks."; no other resource says so.
    found = listing(client, library, "q=benchmarks")
    assert found["count"] == 30
    # Search and a filter together: every third synthetic resource is not free.
    free = listing(client, library, "q=benchmarks&free=1")
    assert free["count"] == 20
    assert all(resource.is_free for resource in free["resources"])
    # Already indexed: nothing more to do.
    assert index_synthetic(library) == 0


def test_index_synthetic_catches_up_a_library_bulk_created_without_indexing(client, library, taxonomy):
    types = [taxonomy["toolkit"], taxonomy["paper"]]
    topics = [taxonomy["ethics"], taxonomy["payment"]]
    audiences = [taxonomy["public"]]
    bulk_create_resources(library, synthetic_specs(12, types=types, topics=topics, audiences=audiences))
    assert listing(client, library, "q=benchmarks")["count"] == 0
    assert index_synthetic(library) == 12
    assert listing(client, library, "q=benchmarks")["count"] == 12
    # Asking for the same number again creates nothing but still leaves everything searchable.
    assert build_synthetic(library, 12) == 0
    assert listing(client, library, "q=benchmarks")["count"] == 12


@pytest.mark.parametrize(
    "query",
    ["", "free=1", "type=toolkit", "type=toolkit&free=1", "topic=ethics", "q=benchmarks&free=1", "page=2"],
)
def test_result_and_free_counts_match_the_resources_themselves(client, library, taxonomy, query):
    build_synthetic(library, 45)
    shown = listing(client, library, query)
    params = dict(part.split("=") for part in query.split("&") if part and not part.startswith("page"))
    matching = ResourcePage.objects.live().child_of(library)
    if "type" in params:
        matching = matching.filter(resource_type__slug=params["type"])
    if "topic" in params:
        matching = matching.filter(topics__slug=params["topic"])
    if "q" in params:
        matching = matching.filter(summary__icontains=params["q"])
    free_matching = matching.filter(is_free=True)
    assert shown["count"] == (free_matching if "free" in params else matching).count()
    # The box counts the resources that ticking it would give, whether or not it is ticked.
    assert shown["free_count"] == free_matching.count()
    assert shown["page_obj"].paginator.count == shown["count"]


def test_indexed_score_lookup_keeps_the_search_ranking_exactly(library, taxonomy, monkeypatch):
    from django.db import connection
    from django.http import QueryDict

    from library import filters
    from library.factories import ResourcePageFactory
    from library.services import build_filterset

    build_synthetic(library, 40)
    ResourcePageFactory(parent=library, title="Trust and budget", summary="Planning a fair budget.")

    def ranking(query):
        return list(build_filterset(library, QueryDict(query)).qs.values_list("pk", "_score"))

    queries = ["q=trust", "q=budget+trust", "q=benchmarks&free=1", "q=trust&sort=relevance&page=2"]
    # On SQLite the score subquery compares the index entry's id as text, so its index is used
    # (other databases' backends build their own queries, left untouched).
    if connection.vendor == "sqlite":
        assert 'CAST("library_resourcepage"."page_ptr_id" AS' in str(
            build_filterset(library, QueryDict("q=trust")).qs.query
        )
    indexed = [ranking(query) for query in queries]
    assert all(indexed)
    monkeypatch.setattr(filters, "_match_score_by_index", lambda ranked: None)
    assert [ranking(query) for query in queries] == indexed


@pytest.mark.parametrize(
    "query", ["q=trust", "q=budget+trust&free=1", "q=benchmarks&page=2", "q=trust+benchmarks&topic=ethics"]
)
def test_a_best_match_page_is_the_filtersets_ranked_order(library, taxonomy, query):
    """The page reads a search's best matches in one query (`library.services.best_matches`): the same
    resources, in the same order, as `ResourceFilterSet.qs` (the definition) gives for that page."""
    from django.http import QueryDict

    from library.factories import ResourcePageFactory
    from library.services import build_filterset, library_listing

    build_synthetic(library, 60)
    ResourcePageFactory(parent=library, title="Trust and budget", summary="Planning a fair budget.")
    ResourcePageFactory(parent=library, title="Budget", summary="Trust matters.", topics=[taxonomy["ethics"]])
    params = QueryDict(query)
    listing = library_listing(library, params)
    assert listing["sort"] == "relevance"
    page = listing["page_obj"].number
    expected = list(build_filterset(library, params).qs.values_list("pk", flat=True))[
        (page - 1) * 20 : page * 20
    ]
    assert expected
    assert [resource.pk for resource in listing["resources"]] == expected
