"""portal.exports: the one formula guard, and every export going through it."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from portal.exports import cell, csv_response, guard, xlsx_response


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", "＋1", "－1", "＠SUM(A1)", '=HYPERLINK("x")'],
)
def test_text_that_starts_like_a_formula_is_made_inert(text):
    assert guard(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "", "a=b", " =1", "'=already", 5, -5, Decimal("-1.50"), None])
def test_everything_else_is_left_alone(value):
    assert guard(value) == value


def test_cells_render_lists_booleans_and_none():
    assert cell(["Ethics", "=x"]) == "Ethics; =x"
    assert cell(["=x", "Ethics"]) == "'=x; Ethics"
    assert (cell(True), cell(False), cell(None)) == ("yes", "no", "")
    assert cell(Decimal("-3.00")) == Decimal("-3.00")


def test_csv_and_xlsx_writers_guard_every_cell():
    rows = [["Name", "Amount"], ["=cmd|' /C calc'!A0", Decimal("-2.50")]]
    text = csv_response("x.csv", rows).content.decode()
    assert text.splitlines()[1] == "'=cmd|' /C calc'!A0,-2.50"
    workbook = load_workbook(io.BytesIO(xlsx_response("x.xlsx", [("Sheet", rows[0], rows[1:])]).content))
    name, amount = workbook["Sheet"]["A2"], workbook["Sheet"]["B2"]
    assert (name.value, name.data_type) == ("'=cmd|' /C calc'!A0", "s")
    assert amount.value == -2.5


def test_every_wagtail_list_export_goes_through_the_guard():
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    assert getattr(SpreadsheetExportMixin.preprocess_field_value, "guarded", False)
    for view_class in _subclasses(SpreadsheetExportMixin):
        assert view_class.preprocess_field_value.guarded, view_class


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@pytest.mark.django_db
def test_wagtail_report_export_is_guarded_too(client, superuser, home_page):
    from home.models import GuidancePage

    page = GuidancePage.objects.get(slug="sharing-power")
    page.title = "=1+1 sharing power"
    page.save_revision().publish()
    client.force_login(superuser)
    response = client.get("/admin/reports/aging-pages/?export=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert "'=1+1 sharing power" in text
    assert "\n=1+1" not in text.replace("\r\n", "\n")


def test_there_is_one_formula_guard_in_the_code():
    """No module but portal/exports.py lists formula characters (a tuple holding "=" and "@")."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for app in ("accounts", "home", "library", "events", "payments", "portal"):
        for path in (root / app).rglob("*.py"):
            if path == root / "portal" / "exports.py":
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if any(f"{q}={q}" in line and f"{q}@{q}" in line for q in "\"'"):
                    offenders.append(f"{path.relative_to(root)}:{number}")
    assert offenders == []
