"""Narrow fixes to upstream code that answers malformed input with a 500, applied once at start-up
(portal.apps). Each says what it fixes and why it is safe; tests/portal/test_hardening.py proves each.
Remove one when the upstream release that fixes it is installed.
"""


def chooser_widgets_ignore_non_ids():
    """Wagtail's chooser widgets (page, snippet, image, document) look up the value they render with
    `objects.get(pk=value)` and catch only DoesNotExist. An invalid form shown again with a value that
    is not an id ("x", a NUL, an emoji) then raises ValueError while rendering: a 500 instead of the
    form with its errors. A value that is not an id chooses nothing, as a missing id already does.
    """
    from django.core.exceptions import ValidationError
    from wagtail.admin.widgets.chooser import BaseChooser

    wagtail_get_instance = BaseChooser.get_instance
    if getattr(wagtail_get_instance, "hardened", False):
        return

    def get_instance(self, value):
        try:
            return wagtail_get_instance(self, value)
        except (ValueError, TypeError, OverflowError, ValidationError):
            return None

    get_instance.hardened = True
    BaseChooser.get_instance = get_instance


def _ids(model, values):
    """The values that are ids `model` could have; the rest are dropped."""
    from django.core.exceptions import ValidationError

    field = model._meta.pk
    kept = []
    for value in values:
        try:
            value = field.to_python(value)
        except (ValidationError, ValueError, TypeError):
            continue
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            continue
        kept.append(value)
    return kept


def chosen_views_ignore_non_ids():
    """The views a chooser calls once something is chosen (`chosen/<pk>/`, `chosen-multiple/?id=…`)
    pass what the browser sent straight to the database: a non-numeric or 20-digit id is a
    ValueError or OverflowError (a 500). An id that cannot exist is now not found (404), and dropped
    from a list of several.
    """
    from django.core.exceptions import ObjectDoesNotExist
    from wagtail.admin.views.generic.chooser import ChosenMultipleViewMixin, ChosenViewMixin

    if getattr(ChosenViewMixin.get_object, "hardened", False):
        return
    wagtail_get_object = ChosenViewMixin.get_object
    wagtail_get_objects = ChosenMultipleViewMixin.get_objects

    def get_object(self, pk):
        if not _ids(self.model_class, [pk]):
            raise ObjectDoesNotExist(f"{pk!r} is not an id")
        return wagtail_get_object(self, pk)

    def get_objects(self, pks):
        return wagtail_get_objects(self, _ids(self.model_class, pks))

    get_object.hardened = get_objects.hardened = True
    ChosenViewMixin.get_object = get_object
    ChosenMultipleViewMixin.get_objects = get_objects
    # Views that override get_objects (documents: by permission) and the page chooser's own view read
    # the ids in get(): those are filtered there too.
    from wagtail.admin.views.chooser import ChosenMultipleView as PageChosenMultipleView
    from wagtail.models import Page

    def with_ids_only(wagtails_get, model_for):
        def get(self, request, *args, **kwargs):
            query = request.GET.copy()
            query.setlist("id", [str(pk) for pk in _ids(model_for(self), query.getlist("id"))])
            request.GET = query
            return wagtails_get(self, request, *args, **kwargs)

        return get

    ChosenMultipleViewMixin.get = with_ids_only(ChosenMultipleViewMixin.get, lambda view: view.model_class)
    PageChosenMultipleView.get = with_ids_only(PageChosenMultipleView.get, lambda view: Page)


def delete_views_refuse_http_delete():
    """Wagtail's generic delete view inherits Django's DeletionMixin, so an HTTP DELETE deletes the
    object straight away: past Wagtail's check that nothing protected uses it (a ProtectedError, a
    500, for a payment policy with versions) and without its log entry. The admin only ever sends
    the confirmation form (POST); DELETE is now refused (405) like any method a view does not offer.
    """
    from wagtail.admin.views.generic.models import DeleteView

    DeleteView.http_method_names = [name for name in DeleteView.http_method_names if name != "delete"]


def model_choices_refuse_numbers_past_64_bits():
    """A model choice field looks the submitted value up with `queryset.get(pk=value)` and turns
    ValueError and TypeError into "Select a valid choice", but not OverflowError, which SQLite raises
    for a 20-digit value when the primary key is a link to a parent (a page type's, such as the
    guidance page of a feedback submission). Such a value is now an invalid choice too.
    """
    from django.core.exceptions import ValidationError
    from django.forms.models import ModelChoiceField, ModelMultipleChoiceField

    if getattr(ModelChoiceField.to_python, "hardened", False):
        return

    def invalid_choice_on_overflow(django_method):
        def method(self, value):
            try:
                return django_method(self, value)
            except OverflowError:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
                ) from None

        method.hardened = True
        return method

    ModelChoiceField.to_python = invalid_choice_on_overflow(ModelChoiceField.to_python)
    ModelMultipleChoiceField._check_values = invalid_choice_on_overflow(
        ModelMultipleChoiceField._check_values
    )


def cluster_formsets_treat_forged_rows_as_new():
    """modelcluster's child formsets (Wagtail's InlinePanel: a policy version's rates and caps) read
    each existing row's id with `self.data[key]` and convert it unguarded, so a post whose row count
    claims rows without a valid id raised MultiValueDictKeyError or ValidationError (a 500). Such a
    row is now taken as a new one, exactly as modelcluster already takes a row with an empty id; its
    fields are then validated like any new row's.
    """
    from django.core.exceptions import ValidationError
    from django.forms.models import BaseModelFormSet
    from modelcluster.forms import BaseTransientModelFormSet

    cluster_construct_form = BaseTransientModelFormSet._construct_form
    if getattr(cluster_construct_form, "hardened", False):
        return

    def _construct_form(self, i, **kwargs):
        if self.is_bound and i < self.initial_form_count():
            pk_field = self.model._meta.pk
            raw = self.data.get(f"{self.add_prefix(i)}-{pk_field.name}")
            try:
                valid = raw not in (None, "") and _ids(self.model, [self._get_to_python(pk_field)(raw)])
            except ValidationError:
                valid = False
            if not valid:
                kwargs["instance"] = self.model()
                return super(BaseModelFormSet, self)._construct_form(i, **kwargs)
        return cluster_construct_form(self, i, **kwargs)

    _construct_form.hardened = True
    BaseTransientModelFormSet._construct_form = _construct_form


def next_urls_must_be_addresses():
    """Wagtail's admin views redirect to `?next=` when `get_valid_next_url_from_request` finds it safe;
    Django's `redirect()` then takes a value without a slash or scheme ("٣٤", "x") for a URL name and
    raises NoReverseMatch: a 500. A `next` that is not an address (a path from "/" or an http(s) URL)
    is ignored, as an unsafe one already is, and the view goes where it would without one. The check is
    looked up by name at call time in wagtail.admin.utils, so wrapping it there covers every caller.
    """
    from django.contrib.auth import views as auth_views
    from wagtail.admin import utils
    from wagtail.admin.views import workflows

    # wagtail.admin.views.workflows checks `next` itself with the same function (enable, disable), and
    # Django's sign-in view (Wagtail's admin sign-in is one) redirects a signed-in visitor to `next`.
    for module in (utils, workflows, auth_views):
        wagtails_check = module.url_has_allowed_host_and_scheme
        if getattr(wagtails_check, "hardened", False):
            continue

        def url_has_allowed_host_and_scheme(url, *args, _check=wagtails_check, **kwargs):
            is_address = isinstance(url, str) and url.startswith(("/", "http://", "https://"))
            return is_address and _check(url, *args, **kwargs)

        url_has_allowed_host_and_scheme.hardened = True
        module.url_has_allowed_host_and_scheme = url_has_allowed_host_and_scheme


def external_link_chooser_accepts_a_missing_url():
    """The link chooser's external URL field asks `value.startswith("/")` of a value that is None when
    the field is missing from the post (AttributeError: a 500). A missing URL is not a path; the
    field's own "required" message then answers."""
    from wagtail.admin.forms.choosers import URLOrAbsolutePathValidator

    if getattr(URLOrAbsolutePathValidator.is_absolute_path, "hardened", False):
        return

    def is_absolute_path(value):
        return isinstance(value, str) and value.startswith("/")

    is_absolute_path.hardened = True
    URLOrAbsolutePathValidator.is_absolute_path = staticmethod(is_absolute_path)


def copy_view_checks_the_parent_it_prefills():
    """The page copy view prefills the form's parent with `Page.objects.get(id=POST["new_parent_page"])`
    before the form is validated: a missing, non-numeric or unknown id raised (KeyError, ValueError,
    DoesNotExist: a 500). The current parent (what the form shows at first) is prefilled instead, and
    the form's own validation answers about the chosen one."""
    from django.views.generic import FormView
    from wagtail.admin.views.pages.copy import CopyView
    from wagtail.models import Page

    from .http import parse_id

    wagtails_post = CopyView.post
    if getattr(wagtails_post, "hardened", False):
        return

    def post(self, request, page_id, *args, **kwargs):
        chosen = parse_id(request.POST.get("new_parent_page", ""))
        if chosen is not None and Page.objects.filter(id=chosen).exists():
            return wagtails_post(self, request, page_id, *args, **kwargs)
        self.parent_page = self.page.get_parent()
        return FormView.post(self, request, page_id, *args, **kwargs)

    post.hardened = True
    CopyView.post = post


def stream_fields_read_a_missing_count_as_empty():
    """A StreamField reads its post with `data[...]` and `int(...)`: `<prefix>-count` or a block's
    `-deleted`/`-type` missing (forged, or cut short) raised MultiValueDictKeyError, a count that is no
    number ValueError (a 500). Such a post is read as no blocks: the form then validates that as it
    would an emptied stream (a required stream says so). Someone who may edit the page could post an
    empty stream anyway; a post the admin's own form made always has these keys."""
    from wagtail.blocks.stream_block import BaseStreamBlock

    wagtails_read = BaseStreamBlock.value_from_datadict
    if getattr(wagtails_read, "hardened", False):
        return

    def value_from_datadict(self, data, files, prefix):
        count = data.get(f"{prefix}-count")
        if isinstance(count, str) and count.isascii() and count.isdigit() and len(count) < 6:
            try:
                return wagtails_read(self, data, files, prefix)
            except (KeyError, ValueError):
                pass
        empty = data.copy()
        empty[f"{prefix}-count"] = "0"
        return wagtails_read(self, empty, files, prefix)

    value_from_datadict.hardened = True
    BaseStreamBlock.value_from_datadict = value_from_datadict


def redirect_import_confirmation_needs_its_fields():
    """The redirects import's confirmation form unsigns `import_file_name` and `input_format` from its
    cleaned data without checking they are there: a post missing either (or with one invalid) raised
    KeyError (a 500). It is now the form's error, as a bad signature already is."""
    from django import forms
    from wagtail.contrib.redirects.forms import ConfirmImportManagementForm

    wagtails_clean = ConfirmImportManagementForm.clean
    if getattr(wagtails_clean, "hardened", False):
        return

    def clean(self):
        missing = [key for key in ("import_file_name", "input_format") if not self.cleaned_data.get(key)]
        if missing:
            raise forms.ValidationError("The import was not found. Please upload the file again.")
        return wagtails_clean(self)

    clean.hardened = True
    ConfirmImportManagementForm.clean = clean


def int_routes_refuse_numbers_past_64_bits():
    """Django's `<int:...>` route converter takes any number of digits, and Wagtail's admin routes use
    it for ids (`/admin/workflows/remove/<int:page_pk>/`): a 20-digit id reached the database as an
    OverflowError on SQLite (a 500). Such a number is no id: the route does not match (404). The
    project's own routes use `portal.converters` (the same rule)."""
    from django.urls.converters import IntConverter

    wagtails_to_python = IntConverter.to_python
    if getattr(wagtails_to_python, "hardened", False):
        return

    def to_python(self, value):
        number = wagtails_to_python(self, value)
        if number >= 2**63:
            raise ValueError("past 64 bits")
        return number

    to_python.hardened = True
    IntConverter.to_python = to_python


def revert_views_need_a_revision():
    """Reverting a page to revision 0 (`/admin/pages/<id>/revisions/0/revert/`) is read as "not
    reverting", so no previous revision is loaded and the revert view fails on None (AttributeError: a
    500). No such revision: 404."""
    from django.http import Http404
    from wagtail.admin.views.pages.revisions import RevisionsRevertView

    wagtails_get_object = RevisionsRevertView.get_object
    if getattr(wagtails_get_object, "hardened", False):
        return

    def get_object(self):
        if getattr(self, "previous_revision", None) is None:
            raise Http404("No such revision.")
        return wagtails_get_object(self)

    get_object.hardened = True
    RevisionsRevertView.get_object = get_object


def api_find_views_ignore_non_ids():
    """Wagtail's API find views (`/api/v2/.../find/`, the admin's `/admin/api/main/.../find/`) pass
    `?id=` straight to `queryset.get(id=...)`: "9999-12-31" or a 20-digit id raised (a 500). An id that
    cannot exist finds nothing (404), as an unknown one already does."""
    from wagtail.api.v2.views import BaseAPIViewSet

    from .http import parse_id

    wagtails_find = BaseAPIViewSet.find_object
    if getattr(wagtails_find, "hardened", False):
        return

    def find_object(self, queryset, request):
        if "id" in request.GET and parse_id(request.GET["id"]) is None:
            return None
        return wagtails_find(self, queryset, request)

    find_object.hardened = True
    BaseAPIViewSet.find_object = find_object


def tag_merge_needs_chosen_tags():
    """django-taggit's "merge tags" admin view reads the chosen tag ids from the session and looks each
    up with `Tag.objects.get(id=...)`: posted without choosing tags first (no ids, so "") or after one
    was deleted, it raised (a 500). Only ids of existing tags are kept; with none, the admin says to
    choose the tags first."""
    from django.contrib import messages
    from django.shortcuts import redirect
    from taggit.admin import TagAdmin
    from taggit.models import Tag

    from .http import parse_id

    taggits_view = TagAdmin.merge_tags_view
    if getattr(taggits_view, "hardened", False):
        return

    def merge_tags_view(self, request):
        chosen = [parse_id(i) for i in request.session.get("selected_tag_ids", "").split(",")]
        existing = Tag.objects.filter(id__in=[i for i in chosen if i is not None]).values_list(
            "id", flat=True
        )
        request.session["selected_tag_ids"] = ",".join(str(i) for i in existing)
        if request.method == "POST" and not existing:
            self.message_user(request, "Choose the tags to merge in the list first.", level=messages.WARNING)
            return redirect("..")
        return taggits_view(self, request)

    merge_tags_view.hardened = True
    TagAdmin.merge_tags_view = merge_tags_view


def page_operations_on_the_root_go_to_the_root():
    """Locking or unlocking a page returns to its parent's listing: for the tree's root, which has no
    parent, that raised AttributeError (a 500). The root's own listing is used instead."""
    from django.urls import reverse
    from wagtail.admin.views.pages.lock import PageOperationViewMixin

    wagtails_success_url = PageOperationViewMixin.get_success_url
    if getattr(wagtails_success_url, "hardened", False):
        return

    def get_success_url(self):
        if not self.next_url and self.object.get_parent() is None:
            return reverse("wagtailadmin_explore_root")
        return wagtails_success_url(self)

    get_success_url.hardened = True
    PageOperationViewMixin.get_success_url = get_success_url


def rich_text_reads_a_value_that_is_no_json_as_empty():
    """The Draftail rich text editor posts its content as JSON; a post whose value is not JSON (forged,
    or cut short) raised JSONDecodeError while reading the form (a 500). It is read as empty text: the
    form then validates that as it would an emptied field. A post the editor made is always JSON."""
    from wagtail.admin.rich_text.editors.draftail import DraftailRichTextArea

    wagtails_read = DraftailRichTextArea.value_from_datadict
    if getattr(wagtails_read, "hardened", False):
        return

    def value_from_datadict(self, data, files, name):
        try:
            return wagtails_read(self, data, files, name)
        except (ValueError, TypeError, AttributeError, KeyError):  # JSONDecodeError, or JSON of another shape
            return ""

    value_from_datadict.hardened = True
    DraftailRichTextArea.value_from_datadict = value_from_datadict


def apply():
    chooser_widgets_ignore_non_ids()
    chosen_views_ignore_non_ids()
    delete_views_refuse_http_delete()
    model_choices_refuse_numbers_past_64_bits()
    cluster_formsets_treat_forged_rows_as_new()
    next_urls_must_be_addresses()
    external_link_chooser_accepts_a_missing_url()
    copy_view_checks_the_parent_it_prefills()
    stream_fields_read_a_missing_count_as_empty()
    redirect_import_confirmation_needs_its_fields()
    int_routes_refuse_numbers_past_64_bits()
    revert_views_need_a_revision()
    api_find_views_ignore_non_ids()
    tag_merge_needs_chosen_tags()
    page_operations_on_the_root_go_to_the_root()
    rich_text_reads_a_value_that_is_no_json_as_empty()
