"""The home page and guidance pages."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils.functional import cached_property
from django.utils.text import slugify
from wagtail import blocks, hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from portal.cache import vary_on_query
from portal.routing import ChildTypeRouteMixin
from portal.visibility import chosen_public, public_pages

from .. import seo
from ..blocks import RICH_TEXT_FEATURES, BaseStreamBlock
from ..forms import FeedbackForm


class HomePage(Page):
    """The site's front page. Other apps add sections (events, resources) through the
    `home_page_sections` hook, so the home page never imports them."""

    introduction = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    featured_guidance = StreamField(
        [("page", blocks.PageChooserBlock(page_type="home.GuidancePage"))],
        blank=True,
        max_num=6,
        help_text="Up to six guidance pages to show on the home page. Leave empty to show the latest.",
    )
    body = StreamField(BaseStreamBlock(), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("introduction", help_text="A short welcome: who the portal is for and what they can do."),
        FieldPanel("featured_guidance"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "home page"

    def get_featured_guidance(self):
        """The guidance an editor chose that every visitor may see (a chosen page may since have been
        unpublished or made private), else the newest three."""
        ids = [block["value"] for block in self.featured_guidance.raw_data if block.get("value")]
        chosen = chosen_public(GuidancePage, ids) if ids else []
        newest = public_pages(GuidancePage.objects.order_by("-first_published_at", "-pk"))
        return chosen or list(newest[:3])

    def get_sections(self, request):
        sections = []
        for fn in hooks.get_hooks("home_page_sections"):
            section = fn(request, self)
            if section:
                sections.append(section)
        return sorted(sections, key=lambda s: s.get("order", 100))

    def structured_data(self, request):
        """The organisation behind the site, with how to reach it, and the site itself."""
        settings_ = seo.site_settings(request)
        website = {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": settings_.organisation_name,
            "url": seo.root_url(request) + "/",
            "inLanguage": "en-GB",
        }
        return [seo.organization(request, settings_), website]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["featured_guidance"] = self.get_featured_guidance()
        context["sections"] = self.get_sections(request)
        return context


class GuidanceIndexPage(ChildTypeRouteMixin, Page):
    cache_query_params = ("page",)
    introduction = RichTextField(features=RICH_TEXT_FEATURES, blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    search_fields = Page.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.GuidancePage"]

    class Meta:
        verbose_name = "guidance index page"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = GuidancePage.objects.child_of(self).live().public().order_by("title")
        paginator = Paginator(children, 20)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page_obj = paginator.page(1)
        vary_on_query(request, [("page", page_obj.number)])
        context["guidance_pages"] = page_obj
        return context


class GuidancePage(Page):
    cache_query_params = ("feedback",)  # "feedback=sent": the thanks after a comment
    summary = models.TextField(
        max_length=500, help_text="One or two sentences shown in listings and search results."
    )
    body = StreamField(BaseStreamBlock(), blank=True)
    accepts_feedback = models.BooleanField(
        default=False,
        help_text="Show a feedback form so the community can comment (e.g. on a draft).",
    )
    feedback_introduction = models.TextField(
        blank=True, help_text="What you would like people to comment on, and until when."
    )
    feedback_thank_you = models.TextField(
        blank=True,
        default="Thank you. Your comments have been received and will be read by the team.",
        help_text="Shown after someone sends feedback.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("accepts_feedback"),
                FieldPanel("feedback_introduction"),
                FieldPanel("feedback_thank_you"),
            ],
            heading="Feedback form",
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    parent_page_types = ["home.GuidanceIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "guidance page"

    open_graph_type = "article"

    def structured_data(self, request):
        settings_ = seo.site_settings(request)
        organisation = seo.organization(request, settings_, with_context=False)
        data = {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": seo.trim(self.seo_title or self.title, 110),
            "description": seo.trim(self.search_description or self.summary, 500),
            "url": self.get_full_url(request),
            "mainEntityOfPage": self.get_full_url(request),
            "author": organisation,
            "publisher": organisation,
            "image": [seo.share_image(request, self, settings_)["url"]],
            "inLanguage": "en-GB",
        }
        if self.first_published_at:
            data["datePublished"] = self.first_published_at.isoformat()
        if self.last_published_at:
            data["dateModified"] = self.last_published_at.isoformat()
        return [data]

    @cached_property
    def headings(self):
        """The page's level-2 headings, for its contents list."""
        return [
            {"text": block.value["text"], "anchor": slugify(block.value["text"])}
            for block in self.body
            if block.block_type == "heading" and block.value["level"] == "h2"
        ]

    def get_context(self, request, *args, **kwargs):
        """What the page shows; posted feedback is handled by `home.views.feedback`."""
        context = super().get_context(request, *args, **kwargs)
        if self.accepts_feedback:
            context.setdefault("feedback_form", FeedbackForm())
            context["feedback_sent"] = request.GET.get("feedback") == "sent"
            vary_on_query(request, [("feedback", "sent")] if context["feedback_sent"] else [])
        return context
