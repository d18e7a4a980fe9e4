"""The public read-only API (/api/v2/): Wagtail's pages endpoint, and the endpoints apps add, with every
query parameter checked before it reaches a query.

Wagtail passes parameter values to the database as they come: a NUL byte in `search`, `locale`, `slug`
or any text filter is a database error on PostgreSQL; an `offset` past 64 bits is "bigint out of range";
a date filter that is no date (`first_published_at=x`), an id filter on a relation (`topics=x`,
`alias_of=10**25`) or `?id=2025-13-45` raise while the query is built. Each of those answered 500.
Here every parameter is read first, by what it is, and anything unusable is a 400 with a JSON message
naming the parameter (`{"message": "offset must be a whole number from 0 to 2147483647"}`):

- every value: no NUL character, at most 500 characters;
- `offset`, `limit`: whole numbers from 0 to 2**31 - 1 (Wagtail then applies WAGTAILAPI_LIMIT_MAX);
- `id`, `child_of`, `ancestor_of`, `descendant_of`, `translation_of`: a page id (`root` where Wagtail
  allows it);
- `type`: a page type this endpoint serves (the resources endpoint serves resource pages only);
- a filter on one of the model's fields: a whole number in the column's range for integer fields, an id
  for relations, a value the field accepts (and the database can store) for dates and the like.

A detail address whose id is no id (`/api/v2/pages/99999999999999999999/`), or `find/?id=` with one,
is not found (404).
"""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.http import Http404
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError, page_models_from_string
from wagtail.api.v2.views import PagesAPIViewSet

from .http import parse_id

MAX_VALUE_LENGTH = 500
MAX_OFFSET = 2**31 - 1
PAGE_ID_PARAMETERS = {
    "id": False,  # False: "root" is not accepted
    "child_of": True,
    "descendant_of": True,
    "translation_of": True,
    "ancestor_of": False,
}


def _whole_number(name, value, low, high):
    text = value.strip()
    digits = text[1:] if text.startswith("-") else text
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > 20:
        raise BadRequestError(f"{name} must be a whole number from {low} to {high}")
    number = int(text)
    if not low <= number <= high:
        raise BadRequestError(f"{name} must be a whole number from {low} to {high}")
    return number


def _check_page_id(name, value, root_allowed):
    if root_allowed and value == "root":
        return
    if parse_id(value) is None:
        also = " or root" if root_allowed else ""
        raise BadRequestError(f"{name} must be a page id (a whole number){also}")


def _check_field_value(field, name, value):
    """Raises BadRequestError unless `value` can filter `field` on this database."""
    if isinstance(field, models.BooleanField):
        return  # Wagtail reads true/false/1/0 and answers anything else with a 400
    if field.is_relation:
        target = field.target_field
        if isinstance(target, (models.IntegerField, models.AutoField)) and parse_id(value) is None:
            raise BadRequestError(f"{name} must be an id (a whole number)")
        return
    if isinstance(field, (models.IntegerField, models.AutoField)):
        # The field's documented range, the same on every database (SQLite would store any 64-bit one).
        low, high = BaseDatabaseOperations.integer_field_ranges.get(
            field.get_internal_type(), (-(2**63), 2**63 - 1)
        )
        _whole_number(name, value, low, high)
        return
    if isinstance(field, (models.CharField, models.TextField)):
        return  # text: checked for NUL and length already
    try:
        field.get_db_prep_value(field.to_python(value), connection, prepared=False)
    except (ValidationError, ValueError, TypeError, OverflowError) as exc:
        raise BadRequestError(f"{name} must be {EXPECTED.get(type(field), 'a valid value')}") from exc


EXPECTED = {
    models.DateTimeField: "a date and time, such as 2025-01-31T09:30:00Z",
    models.DateField: "a date, such as 2025-01-31",
    models.TimeField: "a time, such as 09:30",
    models.DecimalField: "a number, such as 12.50",
    models.FloatField: "a number, such as 12.5",
    models.UUIDField: "a UUID",
}


class CheckedPagesAPIViewSet(PagesAPIViewSet):
    """Wagtail's pages endpoint with every query parameter checked first (see the module docstring)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        for name, values in request.GET.lists():
            for value in values:
                if "\x00" in name or "\x00" in value:
                    raise BadRequestError(f"{name.replace(chr(0), '')} contains a NUL character")
                if len(value) > MAX_VALUE_LENGTH:
                    raise BadRequestError(f"{name} must be at most {MAX_VALUE_LENGTH} characters long")
        for name in ("offset", "limit"):
            if name in request.GET:
                _whole_number(name, request.GET[name], 0, MAX_OFFSET)
        for name, root_allowed in PAGE_ID_PARAMETERS.items():
            if name == "id" and self.action == "find_view":
                continue  # find: an id that is none finds nothing (404, find_object)
            if name in request.GET:
                _check_page_id(name, request.GET[name], root_allowed)
        self._check_type(request.GET.get("type"))

    def _check_type(self, value):
        if not value:
            return
        try:
            kinds = page_models_from_string(value)
        except (LookupError, ValueError) as exc:
            raise BadRequestError("type doesn't exist") from exc
        if not all(issubclass(kind, self.model) for kind in kinds):
            raise BadRequestError(f"type must be {self.model._meta.label} or one of its kinds of page")

    def filter_queryset(self, queryset):
        # The fields a filter may name depend on the queryset's model (narrowed by `type`).
        model = queryset.model
        filterable = set(self.get_available_fields(model, db_fields_only=True)) - {"locale"}
        for name, value in self.request.GET.items():
            if name in filterable and name not in PAGE_ID_PARAMETERS:
                try:
                    field = model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                _check_field_value(field, name, value)
        return super().filter_queryset(queryset)

    def detail_view(self, request, pk):
        if parse_id(pk) is None:
            raise Http404
        return super().detail_view(request, pk)

    def find_object(self, queryset, request):
        if "id" in request.GET and parse_id(request.GET["id"]) is None:
            return None
        return super().find_object(queryset, request)


# Apps add their own endpoints in their apps' ready() through register_endpoint.
api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", CheckedPagesAPIViewSet)
