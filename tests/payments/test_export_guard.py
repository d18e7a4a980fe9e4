"""The admin claims listing's CSV export (Wagtail's list export) never writes a live formula."""

import pytest

pytestmark = pytest.mark.django_db


def test_claims_listing_csv_guards_formulas(client, coordinator, contributor, make_claim):
    make_claim(contributor, "submitted", project="=1+2")
    make_claim(
        contributor, "submitted", project="@SUM(1,2)", work_date=__import__("datetime").date(2025, 7, 2)
    )
    client.force_login(coordinator)
    response = client.get("/admin/payments_claims/?export=csv")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert any(",'=1+2," in line for line in lines)
    assert any(",'@SUM(1,2)," in line or ',"\'@SUM(1,2)",' in line for line in lines)
    for line in lines[1:]:
        assert ",=" not in line and ",@" not in line, line
