from django.apps import AppConfig
from django.db.models import F


class LibraryConfig(AppConfig):
    name = "library"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Page, PageViewRestriction
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from portal.api import api_router

        from .api import ResourcesAPIViewSet
        from .models import Audience, ResourcePage, Topic, suggestion_declined
        from .models.resource import refresh_listing
        from .suggestions import services as suggestions

        api_router.register_endpoint("resources", ResourcesAPIViewSet)

        def on_resource_published(sender, instance, **kwargs):
            suggestions.suggestion_published(instance)

        def on_suggestion_declined(sender, page, user, reason, **kwargs):
            suggestions.decline_suggestion(page.specific, actor=user, reason=reason)

        page_published.connect(
            on_resource_published,
            sender=ResourcePage,
            dispatch_uid="library.suggestion_published",
            weak=False,
        )
        suggestion_declined.connect(
            on_suggestion_declined, dispatch_uid="library.suggestion_declined", weak=False
        )

        # The listing's columns on each resource (`refresh_listing`) follow every change to what they
        # are worked out from that does not save the resource itself as a ResourcePage (that save
        # refreshes its own row): unpublishing through a plain page, moves, view restrictions above
        # it, a deleted tag.
        def under(page_id):
            path = Page.objects.filter(pk=page_id).values_list("path", flat=True).first()
            return ResourcePage.objects.filter(path__startswith=path) if path else ResourcePage.objects.none()

        def on_unpublished(sender, instance, **kwargs):
            if isinstance(instance, ResourcePage):
                refresh_listing(ResourcePage.objects.filter(pk=instance.pk))

        def on_moved(sender, instance, **kwargs):
            refresh_listing(under(instance.pk))

        def on_restriction_changed(sender, instance, **kwargs):
            refresh_listing(under(instance.page_id))

        def on_plain_page_saved(sender, instance, **kwargs):
            if instance.content_type_id and instance.specific_class is ResourcePage:
                refresh_listing(ResourcePage.objects.filter(pk=instance.pk))

        def on_term_deleted(sender, instance, **kwargs):
            column = "topic_bits" if sender is Topic else "audience_bits"
            if instance.bit is not None:
                refresh_listing(
                    ResourcePage.objects.alias(found=F(column).bitand(instance.mask)).exclude(found=0)
                )

        page_unpublished.connect(on_unpublished, dispatch_uid="library.listing_unpublished", weak=False)
        post_page_move.connect(on_moved, dispatch_uid="library.listing_moved", weak=False)
        for signal in (post_save, post_delete):
            signal.connect(
                on_restriction_changed,
                sender=PageViewRestriction,
                dispatch_uid=f"library.listing_restriction_{signal is post_save}",
                weak=False,
            )
        post_save.connect(on_plain_page_saved, sender=Page, dispatch_uid="library.listing_page", weak=False)
        for term in (Topic, Audience):
            post_delete.connect(
                on_term_deleted, sender=term, dispatch_uid=f"library.listing_{term.__name__}", weak=False
            )
