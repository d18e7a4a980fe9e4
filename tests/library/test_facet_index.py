"""The library page's facet index (library/facet_index.py) agrees with the SQL definition of the
listing, `ResourceFilterSet.qs` and `facet_counts`, for random combinations of a search, every filter,
each sort and any page: the same resources in the same order, the same totals, the same count on every
option, the same tags on every card. And it follows changes to the content."""

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from library.demo import index_synthetic
from library.factories import (
    AudienceFactory,
    LibraryPageFactory,
    ResourcePageFactory,
    ResourceTypeFactory,
    TopicFactory,
    bulk_create_resources,
    synthetic_specs,
)
from library.models import ResourcePage, ResourceType
from library.services import build_filterset, facet_counts, library_listing, load_taxonomy

TYPES = [f"type-{i}" for i in range(4)]
TOPICS = [f"topic-{i}" for i in range(5)]
AUDIENCES = [f"audience-{i}" for i in range(3)]
WORDS = ["power", "ethics", "toolkit", "trust budget", "co-production", "same", "nothing-matches-this"]


@pytest.fixture
def corpus(library, home_page):
    types = [ResourceTypeFactory(name=f"Type {i}", slug=slug) for i, slug in enumerate(TYPES)]
    topics = [TopicFactory(name=f"Topic {i}", slug=slug) for i, slug in enumerate(TOPICS)]
    audiences = [AudienceFactory(name=f"Audience {i}", slug=slug) for i, slug in enumerate(AUDIENCES)]
    # type-3, topic-4 and audience-2 are used by no resource; the rest are spread over 180 resources.
    bulk_create_resources(
        library, synthetic_specs(180, types=types[:3], topics=topics[:4], audiences=audiences[:2], seed=7)
    )
    index_synthetic(library)
    # Ties and gaps: equal titles and years, no type, no year, not free, several tags.
    for n in range(3):
        ResourcePageFactory(
            parent=library,
            title="Same title",
            slug=f"same-{n}",
            summary="same",
            year=2010,
            resource_type=None,
        )
    ResourcePageFactory(
        parent=library,
        title="Toolkit with every tag",
        summary="power ethics",
        year=None,
        is_free=False,
        resource_type=types[0],
        topics=topics,
        audiences=audiences,
    )
    # Not listed: a draft, and a resource of another library.
    ResourcePageFactory(parent=library, title="Draft toolkit power", live=False)
    other = LibraryPageFactory(parent=home_page, title="Other library", slug="other-library")
    ResourcePageFactory(parent=other, title="Elsewhere toolkit power ethics", summary="power")
    return library


queries = st.fixed_dictionaries(
    {},
    optional={
        "q": st.sampled_from(WORDS),
        "type": st.lists(st.sampled_from(TYPES), min_size=1, max_size=3, unique=True),
        "topic": st.lists(st.sampled_from(TOPICS), min_size=1, max_size=3, unique=True),
        "audience": st.lists(st.sampled_from(AUDIENCES), min_size=1, max_size=2, unique=True),
        "year_from": st.integers(1998, 2027).map(str),
        "year_to": st.integers(1998, 2027).map(str),
        "free": st.just("1"),
        "sort": st.sampled_from(["relevance", "newest", "title"]),
        "page": st.sampled_from(["1", "2", "3", "7", "999", "x"]),
    },
)


def as_querydict(query):
    params = QueryDict(mutable=True)
    for key, value in query.items():
        if isinstance(value, list):
            params.setlist(key, value)
        else:
            params[key] = value
    return params


def assert_agrees_with_sql(library, params):
    listing = library_listing(library, params)
    filterset = build_filterset(library, params)
    expected = list(filterset.qs.values_list("pk", flat=True))
    number = listing["page_obj"].number
    assert [r.pk for r in listing["resources"]] == expected[(number - 1) * 20 : number * 20]
    assert listing["count"] == len(expected)
    counts = facet_counts(filterset)
    taxonomy = load_taxonomy()
    for facet in listing["facets"]:
        pks = {term.slug: term.pk for term in taxonomy[facet["name"]]}
        for option in facet["options"]:
            assert option["count"] == counts[facet["name"]].get(pks[option["slug"]], 0), option
    assert listing["free_count"] == counts["free"]
    for resource in listing["resources"]:
        assert [t.pk for t in resource.topic_list] == [t.pk for t in resource.topics.order_by("name")]
        assert [a.pk for a in resource.audience_list] == [a.pk for a in resource.audiences.order_by("name")]
    return listing


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries)
def test_the_index_agrees_with_sql_for_any_query_string(corpus, query):
    assert_agrees_with_sql(corpus, as_querydict(query))


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=toolkit",
        "q=power&sort=title&page=2",
        "q=power&type=type-0&topic=topic-1&topic=topic-2&free=1",
        "type=type-1&topic=topic-0&audience=audience-1&year_from=2005&year_to=2015&sort=title&page=2",
        "year_from=2020&year_to=2005",
        "type=type-3",
        "q=nothing-matches-this&page=3",
    ],
)
def test_the_index_agrees_with_sql_for_chosen_query_strings(corpus, query):
    listing = assert_agrees_with_sql(corpus, QueryDict(query))
    if query == "q=toolkit":
        titles = [r.title for r in listing["resources"]]
        assert "Draft toolkit power" not in titles and "Elsewhere toolkit power ethics" not in titles
        assert titles[0] == "Toolkit with every tag"  # a title match ranks first


def test_the_index_follows_changes_to_the_content(corpus):
    params = QueryDict("type=type-0&free=1")
    before = library_listing(corpus, params)["count"]
    # A new resource, a changed tag and an unpublished resource all show at once.
    type_0, type_1 = ResourceType.objects.get(slug="type-0"), ResourceType.objects.get(slug="type-1")
    ResourcePageFactory(parent=corpus, title="New toolkit", resource_type=type_0, is_free=True)
    assert library_listing(corpus, params)["count"] == before + 1
    moved = ResourcePage.objects.child_of(corpus).filter(resource_type=type_0, is_free=True).first()
    moved.resource_type = type_1
    moved.save()
    assert library_listing(corpus, params)["count"] == before
    type_1_count = library_listing(corpus, QueryDict("type=type-1"))["count"]
    moved.refresh_from_db()
    moved.unpublish()
    assert assert_agrees_with_sql(corpus, QueryDict("type=type-1"))["count"] == type_1_count - 1
