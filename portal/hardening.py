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
    from wagtail.admin import utils

    wagtails_check = utils.url_has_allowed_host_and_scheme
    if getattr(wagtails_check, "hardened", False):
        return

    def url_has_allowed_host_and_scheme(url, *args, **kwargs):
        is_address = isinstance(url, str) and url.startswith(("/", "http://", "https://"))
        return is_address and wagtails_check(url, *args, **kwargs)

    url_has_allowed_host_and_scheme.hardened = True
    utils.url_has_allowed_host_and_scheme = url_has_allowed_host_and_scheme


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
