"""Routing to a child page in one query where the parent knows its children's type.

Wagtail's `Page.route` reads the child as a plain `Page`, then again as its specific page: two queries
for each level of an address. An index whose children are all of one type (`subpage_types`) can read
the child as that type at once. A child of another type (say, added before `subpage_types` changed)
is routed as Wagtail routes it, so no address stops answering. Nothing is kept between requests:
every request reads the page, with its `live` flag and restrictions, from the database.
"""

from django.apps import apps


class ChildTypeRouteMixin:
    """For a page model whose `subpage_types` names one page type."""

    def routed_child_queryset(self, request, slug):
        """The child with this slug, as its specific type (subclasses may add what it shows)."""
        (label,) = self.subpage_types
        return apps.get_model(label).objects.child_of(self).filter(slug=slug)

    def route(self, request, path_components):
        if path_components:
            child = self.routed_child_queryset(request, path_components[0]).first()
            if child is not None:
                child._cached_parent_obj = self  # as Wagtail's own route: the parent without a query
                return child.route(request, path_components[1:])
        return super().route(request, path_components)
