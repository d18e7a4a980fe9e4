"""Open-data export of the library's current filtered view (CSV and JSON)."""

import csv

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from .models import LibraryPage
from .services import EXPORT_FIELDS, export_rows

LIST_FIELDS = {"topics", "audiences"}


def _csv_cell(value):
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    text = str(value)
    # Spreadsheet programs run cells that start with these as formulas: neutralise them.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


@require_GET
def export(request, page_id, fmt):
    library = get_object_or_404(LibraryPage.objects.live().public(), pk=page_id)
    if fmt not in ("csv", "json"):
        raise Http404("Export is available as CSV or JSON.")
    rows = export_rows(library, request.GET, request=request)
    if fmt == "json":
        response = JsonResponse(
            {"library": library.title, "count": len(rows), "resources": rows},
            json_dumps_params={"ensure_ascii": False, "indent": 1},
        )
        response["Content-Disposition"] = 'attachment; filename="resources.json"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="resources.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(EXPORT_FIELDS)
    for row in rows:
        writer.writerow([_csv_cell(row[field]) for field in EXPORT_FIELDS])
    return response
