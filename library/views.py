"""Public views: the open-data export of the library's filtered view (CSV and JSON), and the form to
suggest a resource."""

from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from portal.exports import csv_response
from portal.locking import LockTimeout

from .forms import SuggestionForm
from .models import LibraryPage
from .services import EXPORT_FIELDS, export_rows
from .suggestions.services import DuplicateSuggestion, SuggestionRefused, suggest_resource

# Django refuses a request body above DATA_UPLOAD_MAX_MEMORY_SIZE only for non-file fields; the file is
# checked by the form. A body far above the largest allowed file is refused before it is read.
SUGGESTION_MAX_BODY_BYTES = 12 * 1024 * 1024


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


def _body_too_large(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > SUGGESTION_MAX_BODY_BYTES
    except ValueError:
        return True


@require_http_methods(["GET", "POST"])
def suggest(request, page_id):
    """Suggest a resource: anyone may, no account needed. Works without JavaScript."""
    library = get_object_or_404(LibraryPage.objects.live().public(), pk=page_id)
    status = 200
    existing = problem = None
    if request.method == "POST":
        if _body_too_large(request):
            form = SuggestionForm()
            problem = "The upload is too large: files can be up to 10 MB. Nothing was sent; please try again."
            status = 400
        else:
            form = SuggestionForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    suggest_resource(library, data=form.cleaned_data, request=request)
                except DuplicateSuggestion as exc:
                    form.add_error(None, str(exc))
                    existing = exc.existing
                except (SuggestionRefused, LockTimeout) as exc:
                    form.add_error(None, str(exc))
                else:
                    return HttpResponseRedirect(reverse("library:suggested", args=[library.pk]))
            status = 400
    else:
        form = SuggestionForm()
    response = render(
        request,
        "library/suggest.html",
        {"library": library, "form": form, "existing": existing, "problem": problem},
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def suggested(request, page_id):
    library = get_object_or_404(LibraryPage.objects.live().public(), pk=page_id)
    return render(request, "library/suggested.html", {"library": library})
