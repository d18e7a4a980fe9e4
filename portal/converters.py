"""URL converters shared by the apps' URL patterns.

`<id:...>` is Django's `<int:...>` limited to 18 digits. Ids are 64-bit, and Django checks the range of
a plain integer lookup but not of a lookup through a relation, such as a page type's primary key
(`page_ptr`) or a foreign key: on SQLite a 19-digit id there raises OverflowError (a 500) instead of
finding nothing. Anything longer is no id of ours, so the address simply does not match (404).
"""

from django.urls import converters, register_converter


class IdConverter(converters.IntConverter):
    regex = "[0-9]{1,18}"


register_converter(IdConverter, "id")
