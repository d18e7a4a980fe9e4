"""A django-filter FilterSet for filters that never change: its form class is made once.

django-filter builds a new form class, and a new form field per filter, for every filter set (every
request); for a listing whose filters and choices are fixed (the events and opportunities indexes)
that was a third of the page's work. Each form still deep-copies its fields, as every Django form
does, so no request sees another's. Not for filter sets whose choices change (the library's taxonomy).
"""

import django_filters


class FixedFilterSet(django_filters.FilterSet):
    def get_form_class(self):
        cls = type(self)
        form_class = cls.__dict__.get("_fixed_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            cls._fixed_form_class = form_class
        return form_class


def applied_query(filterset, page_obj=None):
    """The (name, value) pairs a listing rendered with: the filters' values as given when the filter set
    is valid (none when it is not, and the page says so), and the page number: what the listing tells
    the page cache it shows (``portal.cache.vary_on_query``)."""
    data = filterset.data or {}
    pairs = []
    if filterset.is_bound and filterset.is_valid():
        pairs = [(name, value) for name in filterset.filters for value in data.getlist(name) if value.strip()]
    if page_obj is not None:
        pairs.append(("page", page_obj.number))
    return pairs
