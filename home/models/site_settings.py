"""Site-wide settings editors change in the admin: contact details, footer and the main menu."""

import copy

from django.core.exceptions import ValidationError
from django.db import models
from modelcluster.models import ClusterableModel
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Site

from portal.cache import site_value


class KeptSiteSetting(BaseSiteSetting):
    """A setting every page shows, read from this process's copy (``portal.cache.site_value``: kept
    until the next whole-site purge, which saving a setting makes) instead of a query on each render."""

    class Meta:
        abstract = True

    @classmethod
    def for_request(cls, request):
        attr = cls.get_cache_attr_name()
        site = None if hasattr(request, attr) else Site.find_for_request(request)
        if site is not None:
            kept = site_value(request, (cls._meta.label, site.pk), lambda: cls.for_site(site))
            setting = copy.copy(kept)  # each request its own: Wagtail keeps the request on it
            setting._request = request
            setattr(request, attr, setting)
        return super().for_request(request)


class SocialLinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=60, help_text="e.g. Bluesky, Mastodon, YouTube")
    url = blocks.URLBlock()


@register_setting(icon="site")
class SiteSettings(KeptSiteSetting):
    organisation_name = models.CharField(max_length=200, default="Co-production Portal")
    contact_email = models.EmailField(blank=True)
    phone = models.CharField(
        max_length=40, blank=True, help_text="Not everyone uses a computer: give a number."
    )
    postal_address = models.TextField(blank=True)
    footer_text = RichTextField(features=["bold", "italic", "link"], blank=True)
    social_links = StreamField([("link", SocialLinkBlock())], blank=True)
    site_description = models.TextField(
        max_length=300,
        default=(
            "A community of public contributors, researchers and practitioners who co-produce health and "
            "care research: guidance, a resource library and events."
        ),
        help_text="One or two sentences search engines and link previews show for pages with no "
        "description of their own.",
    )
    default_share_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when a link to a page with no image of its own is shared (1200 × 630 works best). "
        "Empty: the site's logo on its colours.",
    )
    default_share_image_alt = models.CharField(
        "alternative text", max_length=250, blank=True, help_text="What the share image shows."
    )
    # Who a contributor talks to when a payment is late: named in the late-payment e-mail and on
    # the claim's page. Empty: the general contact details above.
    payments_contact_name = models.CharField(
        "name",
        max_length=120,
        blank=True,
        help_text='A person or team, e.g. "Priya, involvement coordinator".',
    )
    payments_contact_email = models.EmailField("e-mail", blank=True)
    payments_contact_phone = models.CharField("phone", max_length=40, blank=True)
    # Named wherever the portal tells people on benefits to seek independent advice.
    welfare_adviser_name = models.CharField(
        "name",
        max_length=200,
        blank=True,
        help_text="An independent welfare-rights service, e.g. a local "
        "Citizens Advice or a council welfare-rights team.",
    )
    welfare_adviser_url = models.URLField("web address", blank=True)
    welfare_adviser_phone = models.CharField("phone", max_length=40, blank=True)
    accessibility_statement = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The page that says how accessible this site is and how to report a problem. Linked "
        "from every page's footer.",
    )

    panels = [
        FieldPanel("organisation_name"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("contact_email"), FieldPanel("phone")]), FieldPanel("postal_address")],
            heading="How to reach us",
        ),
        FieldPanel("footer_text"),
        FieldPanel("social_links"),
        FieldPanel("accessibility_statement"),
        MultiFieldPanel(
            [
                FieldPanel("payments_contact_name"),
                FieldRowPanel([FieldPanel("payments_contact_email"), FieldPanel("payments_contact_phone")]),
            ],
            heading="Contact for late payments",
            help_text="Named to contributors when a payment is later than they were told.",
        ),
        MultiFieldPanel(
            [
                FieldPanel("welfare_adviser_name"),
                FieldRowPanel([FieldPanel("welfare_adviser_url"), FieldPanel("welfare_adviser_phone")]),
            ],
            heading="Welfare-rights adviser",
            help_text="Named on every page and e-mail that suggests talking to an independent adviser about "
            "how payments affect benefits.",
        ),
        MultiFieldPanel(
            [
                FieldPanel("site_description"),
                FieldPanel("default_share_image"),
                FieldPanel("default_share_image_alt"),
            ],
            heading="Search engines and shared links",
        ),
    ]

    class Meta:
        verbose_name = "site settings"

    @property
    def payments_contact(self):
        """Who to ask about a late payment: the named contact, else the organisation's own details."""
        return {
            "name": self.payments_contact_name or self.organisation_name,
            "email": self.payments_contact_email or self.contact_email,
            "phone": self.payments_contact_phone or self.phone,
        }


class NavigationLinkBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False, help_text="Only if the link is not to a page of this site.")
    label = blocks.CharBlock(max_length=60, required=False, help_text="Defaults to the page's title.")

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            raise StructBlockValidationError(
                block_errors={"page": ValidationError("Choose a page or enter an address, not both.")}
            )
        if value.get("url") and not value.get("label"):
            raise StructBlockValidationError(
                block_errors={"label": ValidationError("A link to another site needs a label.")}
            )
        return value


@register_setting(icon="list-ul")
class NavigationSettings(KeptSiteSetting, ClusterableModel):
    primary_links = StreamField([("link", NavigationLinkBlock())], blank=True, max_num=8)

    panels = [
        FieldPanel("primary_links", help_text="The main menu, in order. Keep it short: eight links at most.")
    ]

    class Meta:
        verbose_name = "navigation menu"

    @classmethod
    def menu_for_site(cls, site):
        """The menu's items for `site`."""
        return cls.for_site(site).menu_items()

    @classmethod
    def menu_for_request(cls, request, site):
        """The menu's items, from this process's copy: a change to a page in it (or above one) purges
        the whole site (``home.signals``), as saving this setting does."""
        return site_value(request, ("menu", site.pk), lambda: cls.menu_for_site(site))

    @classmethod
    def menu_page_ids(cls):
        """The pages chosen in any site's menu (read from the stored blocks, without fetching them)."""
        blocks = [block for menu in cls.objects.all() for block in menu.primary_links.raw_data]
        return {block["value"].get("page") for block in blocks} - {None}

    def menu_items(self):
        items = []
        for block in self.primary_links:
            page, url, label = block.value.get("page"), block.value.get("url"), block.value.get("label")
            if page:
                if not page.live:
                    continue
                items.append({"label": label or page.title, "url": page.url, "page_id": page.pk})
            elif url:
                items.append({"label": label, "url": url, "page_id": None})
        return items
