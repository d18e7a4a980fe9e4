"""Site search with hostile queries: a NUL character (a PostgreSQL error before), huge and odd input."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        "%00",
        "sharing%00power",
        "%00%00%00",
        "power&page=-1",
        "x&page=99999999999999999999",
        "²" * 5000,
        "%EF%BF%BF",
    ],
)
def test_search_answers_every_query(client, home_page, query):
    response = client.get(f"/search/?q={query}")
    assert response.status_code == 200
    assert "\x00" not in response.context["query"]


def test_a_nul_in_the_query_is_dropped_and_the_rest_searched(client, home_page):
    response = client.get("/search/?q=shar%00ing")
    assert response.context["query"] == "sharing"
    assert response.context["result_count"] >= 1
