"""Which pages every visitor may be shown: live, and neither restricted (a password, sign-in or groups)
nor below a restricted page. Lists that Wagtail's ``live().public()`` builds (indexes, feeds, search,
the sitemap, the API) mean the same; `public_pages` says it in one query, which an editor's own picks
need too: a page chosen to feature may since have been unpublished or made private."""

from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Length, Substr
from wagtail.models import PageViewRestriction


def restricted_above():
    """For a page (`OuterRef`): the view restrictions on it or on a page above it (a restricted page's
    path begins the page's own)."""
    return PageViewRestriction.objects.annotate(
        prefix=Substr(OuterRef("path"), 1, Length("page__path"))
    ).filter(page__path=F("prefix"))


def public_pages(queryset):
    """`queryset` (of pages) narrowed to what every visitor may see, in one query (Wagtail's
    ``public()`` reads every restriction first: one query more for each list that asks)."""
    return queryset.live().exclude(Exists(restricted_above()))


def chosen_public(model, ids):
    """The pages of `model` with these ids that every visitor may see, in the order given."""
    found = public_pages(model.objects.filter(pk__in=ids)).in_bulk()
    return [found[pk] for pk in ids if pk in found]
