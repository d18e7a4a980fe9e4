"""Where the admin links to one of our objects from elsewhere (the site history report, a History page,
"Used N times" listings): Wagtail asks each model's registered URL finder for the object's "edit" address.

A ModelViewSet registers a finder pointing at its edit view. Our read-only viewsets (claims, payouts,
payment runs, registrations, applications) route no edit view: their finder must name the view that shows
one object, or every page listing such an object's log entries fails with NoReverseMatch.
"""

from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.permissions import policy_registry


def viewing_url_finder(url_name):
    """A URL finder class linking to `url_name` (a view showing one object, taking its pk), for people who
    may see the object: those with the model's view or change permission. Others get no link."""

    class ViewingURLFinder(ModelAdminURLFinder):
        edit_url_name = url_name

        def get_edit_url(self, instance):
            policy = policy_registry.get(instance)
            if (
                self.user
                and policy
                and not policy.user_has_any_permission_for_instance(self.user, ["view", "change"], instance)
            ):
                return None
            return self.construct_edit_url(instance)

    return ViewingURLFinder
