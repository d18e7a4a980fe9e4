"""Open-data export of the library's current filtered view (CSV and JSON)."""

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from portal.exports import csv_response

from .models import LibraryPage
from .services import EXPORT_FIELDS, export_rows


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
    return csv_response(
        "resources.csv", [EXPORT_FIELDS, *([row[field] for field in EXPORT_FIELDS] for row in rows)], bom=True
    )
