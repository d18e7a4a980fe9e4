from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from modelcluster.models import ClusterableModel
from wagtail import blocks, hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import RICH_TEXT_FEATURES, BaseStreamBlock


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
        chosen = [block.value for block in self.featured_guidance if block.value and block.value.live]
        if chosen:
            return [page.specific for page in chosen]
        return list(GuidancePage.objects.live().public().order_by("-first_published_at", "-pk")[:3])

    def get_sections(self, request):
        sections = []
        for fn in hooks.get_hooks("home_page_sections"):
            section = fn(request, self)
            if section:
                sections.append(section)
        return sorted(sections, key=lambda s: s.get("order", 100))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["featured_guidance"] = self.get_featured_guidance()
        context["sections"] = self.get_sections(request)
        return context


class GuidanceIndexPage(Page):
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
        context["guidance_pages"] = page_obj
        return context


class GuidancePage(Page):
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

    @cached_property
    def headings(self):
        """The page's level-2 headings, for its contents list."""
        from django.utils.text import slugify

        return [
            {"text": block.value["text"], "anchor": slugify(block.value["text"])}
            for block in self.body
            if block.block_type == "heading" and block.value["level"] == "h2"
        ]

    def serve(self, request, *args, **kwargs):
        from .forms import FeedbackForm
        from .services import FeedbackRejected, submit_feedback

        form = None
        if self.accepts_feedback and request.method == "POST":
            form = FeedbackForm(request.POST)
            if form.is_valid():
                try:
                    submit_feedback(page=self, data=form.cleaned_data, request=request)
                except FeedbackRejected as exc:
                    form.add_error(None, str(exc))
                else:
                    return HttpResponseRedirect(self.url + "?feedback=sent#feedback")
            context = self.get_context(request, *args, **kwargs)
            context["feedback_form"] = form
            return TemplateResponse(request, self.get_template(request), context, status=400)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .forms import FeedbackForm

        context = super().get_context(request, *args, **kwargs)
        if self.accepts_feedback:
            context.setdefault("feedback_form", FeedbackForm())
            context["feedback_sent"] = request.GET.get("feedback") == "sent"
        return context


class FeedbackSubmission(models.Model):
    """A comment from the community on a guidance page."""

    class Role(models.TextChoices):
        PUBLIC = "public", "Member of the public / public contributor"
        RESEARCHER = "researcher", "Researcher"
        PRACTITIONER = "practitioner", "Practitioner"
        OTHER = "other", "Other"
        UNSAID = "", "Prefer not to say"

    page = models.ForeignKey(GuidancePage, on_delete=models.CASCADE, related_name="feedback")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    comment = models.TextField()
    may_contact = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = "feedback"
        verbose_name_plural = "feedback"

    def __str__(self):
        who = self.name or "Anonymous"
        return f"{who} on {self.page.title}"


class SocialLinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=60, help_text="e.g. Bluesky, Mastodon, YouTube")
    url = blocks.URLBlock()


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    organisation_name = models.CharField(max_length=200, default="Co-production Portal")
    contact_email = models.EmailField(blank=True)
    phone = models.CharField(
        max_length=40, blank=True, help_text="Not everyone uses a computer: give a number."
    )
    postal_address = models.TextField(blank=True)
    footer_text = RichTextField(features=["bold", "italic", "link"], blank=True)
    social_links = StreamField([("link", SocialLinkBlock())], blank=True)

    panels = [
        FieldPanel("organisation_name"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("contact_email"), FieldPanel("phone")]), FieldPanel("postal_address")],
            heading="How to reach us",
        ),
        FieldPanel("footer_text"),
        FieldPanel("social_links"),
    ]

    class Meta:
        verbose_name = "site settings"


class NavigationLinkBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False, help_text="Only if the link is not to a page of this site.")
    label = blocks.CharBlock(max_length=60, required=False, help_text="Defaults to the page's title.")

    def clean(self, value):
        from django.core.exceptions import ValidationError
        from wagtail.blocks.struct_block import StructBlockValidationError

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
class NavigationSettings(BaseSiteSetting, ClusterableModel):
    primary_links = StreamField([("link", NavigationLinkBlock())], blank=True, max_num=8)

    panels = [
        FieldPanel("primary_links", help_text="The main menu, in order. Keep it short: eight links at most.")
    ]

    class Meta:
        verbose_name = "navigation menu"

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
