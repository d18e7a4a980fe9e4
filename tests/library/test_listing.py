"""The library page: each filter alone and together, facet counts, sorting, paging, bad input."""

import pytest

from library.filters import ResourceFilterSet
from library.services import library_listing, load_taxonomy


def titles(response):
    return [r.title for r in response.context["listing"]["resources"]]


@pytest.fixture
def resources(make_resource, taxonomy):
    t = taxonomy
    return {
        "a": make_resource(
            title="Ethics toolkit for researchers",
            summary="Practical steps for ethical partnership.",
            resource_type=t["toolkit"],
            topics=[t["ethics"]],
            audiences=[t["researchers"]],
            year=2019,
            is_free=True,
        ),
        "b": make_resource(
            title="Paying public contributors",
            summary="How to pay people fairly and promptly.",
            resource_type=t["paper"],
            topics=[t["payment"], t["ethics"]],
            audiences=[t["public"], t["researchers"]],
            year=2023,
            is_free=False,
        ),
        "c": make_resource(
            title="Mental health co-production video",
            summary="Stories from a mental health service.",
            resource_type=t["video"],
            topics=[t["mental-health"]],
            audiences=[t["public"]],
            year=2021,
            is_free=True,
        ),
        "d": make_resource(
            title="Untagged resource",
            summary="Imported and not yet tagged.",
            resource_type=None,
            year=None,
            is_free=True,
        ),
    }


def get(client, library, query=""):
    response = client.get(f"{library.url}?{query}")
    assert response.status_code == 200
    return response


def test_no_filters_lists_everything_newest_first(client, library, resources):
    response = get(client, library)
    # Newest by year, resources without a year last.
    assert titles(response) == [
        "Paying public contributors",
        "Mental health co-production video",
        "Ethics toolkit for researchers",
        "Untagged resource",
    ]
    assert response.context["listing"]["count"] == 4
    assert b'role="status"' in response.content
    assert "4 resources" in response.content.decode()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("type=toolkit", {"Ethics toolkit for researchers"}),
        ("type=toolkit&type=video", {"Ethics toolkit for researchers", "Mental health co-production video"}),
        ("topic=ethics", {"Ethics toolkit for researchers", "Paying public contributors"}),
        (
            "topic=ethics&topic=mental-health",
            {
                "Ethics toolkit for researchers",
                "Paying public contributors",
                "Mental health co-production video",
            },
        ),
        ("audience=public", {"Paying public contributors", "Mental health co-production video"}),
        ("year_from=2021", {"Paying public contributors", "Mental health co-production video"}),
        ("year_to=2020", {"Ethics toolkit for researchers"}),
        ("year_from=2020&year_to=2022", {"Mental health co-production video"}),
        (
            "free=1",
            {"Ethics toolkit for researchers", "Mental health co-production video", "Untagged resource"},
        ),
        ("q=mental", {"Mental health co-production video"}),
    ],
)
def test_each_filter_alone(client, library, resources, query, expected):
    assert set(titles(get(client, library, query))) == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("topic=ethics&audience=public", {"Paying public contributors"}),
        ("topic=ethics&free=1", {"Ethics toolkit for researchers"}),
        ("type=paper&type=video&audience=public&year_from=2022", {"Paying public contributors"}),
        ("q=pay&topic=ethics", {"Paying public contributors"}),
        ("q=pay&topic=mental-health", set()),
        ("audience=researchers&year_to=2020&free=1&type=toolkit", {"Ethics toolkit for researchers"}),
    ],
)
def test_filters_combined(client, library, resources, query, expected):
    assert set(titles(get(client, library, query))) == expected


def facet(listing, name):
    return {o["slug"]: o["count"] for f in listing["facets"] if f["name"] == name for o in f["options"]}


def test_facet_counts_without_filters(client, library, resources):
    listing = get(client, library).context["listing"]
    assert facet(listing, "type") == {"paper": 1, "toolkit": 1, "video": 1}
    assert facet(listing, "topic") == {"ethics": 2, "mental-health": 1, "payment": 1}
    assert facet(listing, "audience") == {"public": 2, "researchers": 2}
    assert listing["free_count"] == 3


def test_facet_counts_apply_the_other_filters_but_not_their_own(client, library, resources):
    listing = get(client, library, "topic=ethics&audience=public").context["listing"]
    # Topic counts ignore the topic filter but apply audience=public.
    assert facet(listing, "topic") == {"ethics": 1, "mental-health": 1, "payment": 1}
    # Audience counts ignore the audience filter but apply topic=ethics.
    assert facet(listing, "audience") == {"public": 1, "researchers": 2}
    # Type counts apply both.
    assert facet(listing, "type") == {"paper": 1, "toolkit": 0, "video": 0}
    assert listing["free_count"] == 0
    # Selected options stay checked.
    page = listing["facets"][1]["options"]
    assert [o["slug"] for o in page if o["selected"]] == ["ethics"]


def test_facet_counts_while_searching(client, library, resources):
    listing = get(client, library, "q=pay&free=1").context["listing"]
    # "pay" matches only the paper, which is not free: the facets (other than free) see nothing.
    assert listing["count"] == 0
    assert facet(listing, "type") == {"paper": 0, "toolkit": 0, "video": 0}
    assert listing["free_count"] == 0
    listing = get(client, library, "q=pay").context["listing"]
    assert facet(listing, "type") == {"paper": 1, "toolkit": 0, "video": 0}
    assert facet(listing, "topic") == {"ethics": 1, "mental-health": 0, "payment": 1}
    assert facet(listing, "audience") == {"public": 1, "researchers": 1}


def test_facet_count_predicts_the_result(client, library, resources):
    listing = get(client, library, "audience=public").context["listing"]
    for option in listing["facets"][0]["options"]:
        result = get(client, library, f"audience=public&type={option['slug']}").context["listing"]
        assert result["count"] == option["count"]


def test_sort_title_a_to_z(client, library, resources):
    assert titles(get(client, library, "sort=title")) == [
        "Ethics toolkit for researchers",
        "Mental health co-production video",
        "Paying public contributors",
        "Untagged resource",
    ]


def test_sort_relevance_without_search_falls_back_to_newest(client, library, resources):
    response = get(client, library, "sort=relevance")
    assert titles(response)[0] == "Paying public contributors"
    assert response.context["listing"]["sort"] == "newest"


def test_search_ranks_title_matches_above_summary_matches(client, library, make_resource):
    make_resource(title="A guide to meetings", summary="Notes on accessibility for everyone.")
    make_resource(title="Accessibility in co-production", summary="How to plan events.")
    response = get(client, library, "q=accessibility")
    assert titles(response) == ["Accessibility in co-production", "A guide to meetings"]
    assert response.context["listing"]["sort"] == "relevance"
    # Other sorts still work while searching.
    assert titles(get(client, library, "q=accessibility&sort=title")) == [
        "A guide to meetings",
        "Accessibility in co-production",
    ]


def test_pagination_keeps_filters(client, library, taxonomy, make_resource):
    for i in range(25):
        make_resource(title=f"Toolkit {i:02d}", resource_type=taxonomy["toolkit"], year=2000 + i)
    make_resource(title="A paper", resource_type=taxonomy["paper"])
    response = get(client, library, "type=toolkit&sort=title")
    listing = response.context["listing"]
    assert listing["count"] == 25
    assert len(listing["resources"]) == 20
    html = response.content.decode()
    assert 'href="?type=toolkit&amp;sort=title&amp;page=2"' in html
    second = get(client, library, "type=toolkit&sort=title&page=2")
    assert titles(second) == [f"Toolkit {i:02d}" for i in range(20, 25)]
    assert "page 2 of 2" in second.content.decode()


def test_empty_state_offers_to_clear(client, library, resources):
    response = get(client, library, "q=nonexistentword")
    html = response.content.decode()
    assert response.context["listing"]["count"] == 0
    assert "Nothing matched" in html
    assert "No resources match your filters" in html
    assert f'href="{library.url}">clear all filters</a>' in html


def test_chips_remove_one_filter_each(client, library, resources):
    response = get(client, library, "topic=ethics&topic=payment&free=1&q=pay")
    chips = {c["label"]: c["query"] for c in response.context["listing"]["chips"]}
    assert chips == {
        "Search: “pay”": "topic=ethics&topic=payment&free=1",
        "Topic: Ethics": "q=pay&topic=payment&free=1",
        "Topic: Payment and recognition": "q=pay&topic=ethics&free=1",
        "Free to access": "q=pay&topic=ethics&topic=payment",
    }
    assert "Clear all filters" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "type=nonsense",
        "topic=ethics&topic=%00%ff",
        "year_from=abc&year_to=",
        "year_from=99999999999999999999",
        "year_from=2025&year_to=2000",
        "page=abc",
        "page=-3",
        "page=999999",
        "sort=drop table",
        "free=maybe",
        "q=" + "x" * 5000,
        "q=%22unbalanced&q=AND OR NOT",
        "q=*",
        "q=(",
        "type[]=1&topic=&audience=",
    ],
)
def test_malformed_parameters_never_fail(client, library, resources, query):
    response = client.get(f"{library.url}?{query}")
    assert response.status_code == 200


def test_unknown_values_are_ignored_and_reported(client, library, resources):
    response = get(client, library, "type=nonsense&topic=ethics&year_from=abc")
    listing = response.context["listing"]
    assert set(titles(response)) == {"Ethics toolkit for researchers", "Paying public contributors"}
    html = response.content.decode()
    assert "Type “nonsense” is not in the library, so it was ignored." in html
    assert "From year: Enter a whole number." in html
    assert listing["errors"]


def test_year_range_backwards_is_reported(client, library, resources):
    response = get(client, library, "year_from=2025&year_to=2000")
    assert response.context["listing"]["count"] == 0
    assert "before the “from” year" in response.content.decode()


def test_out_of_range_page_shows_the_last_page(client, library, resources):
    listing = get(client, library, "page=40").context["listing"]
    assert listing["page_obj"].number == 1
    assert len(listing["resources"]) == 4


def test_filterset_never_queries_to_validate(django_assert_num_queries, library, taxonomy):
    from django.http import QueryDict

    taxonomy_lists = load_taxonomy()
    resources = library.resources()
    with django_assert_num_queries(0):
        fs = ResourceFilterSet(
            QueryDict("type=toolkit&type=nope&topic=ethics&year_from=2000"),
            queryset=resources,
            taxonomy=taxonomy_lists,
        )
        assert fs.form.is_valid()
        assert fs.values["type"] == ["toolkit"]


def test_listing_service_matches_page(rf, library, resources):
    from django.http import QueryDict

    listing = library_listing(library, QueryDict("audience=researchers"))
    assert {r.title for r in listing["resources"]} == {
        "Ethics toolkit for researchers",
        "Paying public contributors",
    }
