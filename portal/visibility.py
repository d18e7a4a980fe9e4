"""Which pages every visitor may be shown: live, and neither restricted (a password, sign-in or groups)
nor below a restricted page. Lists that Wagtail's ``live().public()`` builds (indexes, feeds, search,
the sitemap, the API) mean the same; `public_pages` says it in one query, which an editor's own picks
need too: a page chosen to feature may since have been unpublished or made private."""

from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Length, Substr
from wagtail.models import PageViewRestriction


def public_pages(queryset):
    """`queryset` (of pages) narrowed to what every visitor may see, in one query."""
    above = PageViewRestriction.objects.annotate(
        prefix=Substr(OuterRef("path"), 1, Length("page__path"))
    ).filter(page__path=F("prefix"))
    return queryset.live().filter(~Exists(above))


def chosen_public(model, ids):
    """The pages of `model` with these ids that every visitor may see, in the order given."""
    found = public_pages(model.objects.filter(pk__in=ids)).in_bulk()
    return [found[pk] for pk in ids if pk in found]
