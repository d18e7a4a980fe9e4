"""Importing a resource list from the Wagtail admin: upload, a dry run listing every problem with its
row, then confirm. The checking and writing are `library.importer.import_resources`, the same service
the `import_resources` command calls; this module only stages the upload (library.import_uploads)
and shows the result.

Who may: anyone who may add *and publish* resources in the library (Moderators; superusers). An import
publishes what it creates and updates at once, as the command does, so letting Editors run it would
skip the moderation they go through for a resource added by hand (README: editors submit, moderators
publish); Wagtail itself refuses an Editor's publish of an updated resource. Everyone else is refused
(Wagtail's admin turns the refusal into a redirect with a message; anonymous people sign in first).
All or nothing: the confirmation is offered only when the dry run rejected nothing, and the import
writes nothing if a record is rejected then (the library may have changed in between).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from . import import_uploads
from .importer import COLUMNS, ImportFileError, import_resources
from .models import LibraryPage, ResourcePage

TEMPLATE = "library/admin/import.html"
# Created and updated titles shown under a dry run (every problem and note is always shown).
LISTED = 200


def libraries_for(user):
    """The libraries `user` may add and publish resources in, in tree order."""
    if not (user.is_authenticated and user.is_active):
        return []
    return [
        library
        for library in LibraryPage.objects.order_by("path")
        if (permissions := library.permissions_for_user(user)).can_add_subpage()
        and permissions.can_publish_subpage()
        and ResourcePage in library.specific_class.allowed_subpage_models()
    ]


def may_import(user):
    return bool(libraries_for(user))


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Resource list",
        help_text=(
            "A CSV file (UTF-8) with a header row: "
            + ", ".join(COLUMNS)
            + " (only title is needed); a JSON list of resources with the same keys; or a plain-text "
            f"listing (.txt). Up to {import_uploads.MAX_UPLOAD_BYTES // 1024 // 1024} MB."
        ),
    )
    library = forms.ModelChoiceField(
        queryset=LibraryPage.objects.none(),
        empty_label=None,
        help_text="The library the resources go into.",
    )

    def __init__(self, *args, libraries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = LibraryPage.objects.filter(pk__in=[lib.pk for lib in libraries])
        self.only_library = libraries[0] if len(libraries) == 1 else None
        if self.only_library:
            self.fields["library"].initial = self.only_library.pk
            self.fields["library"].widget = forms.HiddenInput()
            self.fields["library"].required = False

    def clean_library(self):
        return self.cleaned_data.get("library") or self.only_library

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            self.fmt = import_uploads.check_upload(uploaded)
        except import_uploads.UploadRejected as exc:
            raise forms.ValidationError(str(exc)) from exc
        return uploaded


def _render(request, form, *, result=None, record=None, library=None, status=200):
    return render(
        request,
        TEMPLATE,
        {
            "form": form,
            "result": result,
            "record": record,
            "library": library,
            "format_name": import_uploads.FORMAT_NAMES.get(record["fmt"]) if record else "",
            "listed": LISTED,
            "to_write": len(result.created) + len(result.updated) if result else 0,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def import_view(request):
    libraries = libraries_for(request.user)
    if not libraries:
        raise PermissionDenied
    session = request.session
    action = request.POST.get("action")

    if request.method == "POST" and action == "cancel":
        import_uploads.discard(session)
        messages.info(request, "The upload was discarded; nothing was imported.")
        return HttpResponseRedirect(reverse("library_import"))

    if request.method == "POST" and action == "confirm":
        return _confirm(request, libraries)

    if request.method == "GET":
        return _render(request, ImportUploadForm(libraries=libraries))

    form = ImportUploadForm(request.POST, request.FILES, libraries=libraries)
    if not form.is_valid():
        return _render(request, form, status=400)
    library = form.cleaned_data["library"]
    uploaded = form.cleaned_data["file"]
    path, record = import_uploads.stage(session, uploaded, fmt=form.fmt, library=library, user=request.user)
    try:
        result = import_resources(path, library=library, fmt=form.fmt, dry_run=True, name=record["name"])
    except ImportFileError as exc:
        import_uploads.discard(session)
        form.add_error("file", f"Nothing was imported. {exc}")
        return _render(request, form, status=400)
    if result.rejected:
        # All or nothing: nothing to confirm until the file is fixed and uploaded again.
        import_uploads.discard(session)
    return _render(
        request, ImportUploadForm(libraries=libraries), result=result, record=record, library=library
    )


def _confirm(request, libraries):
    session = request.session
    form = ImportUploadForm(libraries=libraries)
    try:
        path, record = import_uploads.staged(session, request.POST.get("token", ""), request.user)
    except import_uploads.UploadRejected as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("library_import"))
    library = next((lib for lib in libraries if lib.pk == record["library"]), None)
    if library is None:
        import_uploads.discard(session)
        raise PermissionDenied
    try:
        result = import_resources(
            path, library=library, fmt=record["fmt"], name=record["name"], user=request.user
        )
    except ImportFileError as exc:
        import_uploads.discard(session)
        messages.error(request, f"Nothing was imported. {exc}")
        return HttpResponseRedirect(reverse("library_import"))
    import_uploads.discard(session)
    if not result.written:
        # The library changed since the dry run so that a record is now rejected: nothing was written.
        return _render(request, form, result=result, record=record, library=library, status=409)
    messages.success(request, f"Imported “{record['name']}” into {library.title}: {result.summary()}.")
    return HttpResponseRedirect(reverse("wagtailadmin_explore", args=[library.pk]))
