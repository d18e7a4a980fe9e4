"""Every page shows the main menu: a change to a page in it, or above one, purges the whole site."""

from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from portal.cache import purge

from .models import NavigationSettings


def purge_for_menu(sender, instance, **kwargs):
    if not isinstance(instance, Page):
        return
    ids = NavigationSettings.menu_page_ids()
    if ids and (
        instance.pk in ids or Page.objects.filter(pk__in=ids, path__startswith=instance.path).exists()
    ):
        purge("*")  # soft: for a moment the old menu, never an old page


def connect():
    for name, signal in (("pub", page_published), ("unpub", page_unpublished), ("move", post_page_move)):
        signal.connect(purge_for_menu, dispatch_uid=f"menu-{name}")
    post_delete.connect(purge_for_menu, dispatch_uid="menu-delete")
