"""Opportunity pages and their index.

What a role pays is never typed in: `opportunities.pay.what_it_pays` works it out from the policy in
force, with the explanation contributors see on claims. A closed opportunity stays readable and says so.
"""

from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from home.blocks import RICH_TEXT_FEATURES, BaseStreamBlock
from payments.models import ActivityType
from portal.cache import cache_until, vary_on_query
from portal.filtersets import applied_query
from portal.routing import ChildTypeRouteMixin

from ..blocks import QuestionsBlock
from ..choices import Format, RoleKind, Topic, closing_soon_days
from ..filters import OpportunityFilter
from ..forms import ApplicationForm
from ..pay import what_it_pays
from ..structured_data import job_posting

LISTING_FIELDS = (
    "title",
    "slug",
    "url_path",
    "summary",
    "role_kind",
    "topic",
    "format",
    "location",
    "is_paid",
    "closing_date",
    "hours_per_month",
)


def _tomorrow():
    """The start of tomorrow, local time."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time.min))


class OpportunityIndexPage(ChildTypeRouteMixin, Page):
    cache_query_params = ("show", "role_kind", "topic", "format", "paid", "closing_soon", "page")
    introduction = RichTextField(features=RICH_TEXT_FEATURES, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("introduction", help_text="Who can get involved, and how we support people to take part."),
    ]
    search_fields = Page.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["opportunities.OpportunityPage"]
    max_count = 1

    class Meta:
        verbose_name = "opportunity index page"

    def opportunities(self):
        return OpportunityPage.objects.child_of(self).live().public().only(*LISTING_FIELDS)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        listing = OpportunityFilter(request.GET or None, queryset=self.opportunities(), request=request)
        if listing.is_bound and not listing.is_valid():
            # An unknown choice in the address: say so and show the default list, never an error page.
            context["filter_problem"] = True
            listing = OpportunityFilter(None, queryset=self.opportunities(), request=request)
        paginator = Paginator(listing.qs, 20)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page_obj = paginator.page(1)
        vary_on_query(request, applied_query(listing, page_obj))
        cache_until(request, _tomorrow())  # what is open, and closing soon, changes with the day
        context["filter"] = listing
        context["opportunities"] = page_obj
        context["showing_closed"] = listing.showing_closed
        return context


class OpportunityPage(Page):
    cache_query_params = ("already",)  # "already=1": the applicant was sent a fresh link
    RoleKind = RoleKind
    Topic = Topic
    Format = Format

    summary = models.TextField(max_length=500, help_text="One or two plain-English sentences for listings.")
    role_kind = models.CharField("kind of role", max_length=30, choices=RoleKind.choices)
    topic = models.CharField(max_length=30, choices=Topic.choices)
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.HYBRID)
    location = models.CharField(max_length=200, blank=True, help_text="Town or venue; blank for online only.")
    who_for = models.TextField("who it is for", help_text="Who we would like to hear from. Plain words.")
    body = StreamField(BaseStreamBlock(), blank=True, help_text="What the role is and what people will do.")

    hours_per_month = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True, help_text="About how many hours a month."
    )
    meetings_count = models.PositiveIntegerField(
        "number of meetings", null=True, blank=True, help_text="In all, if the role has a set number."
    )
    sessions_per_month = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="About how many meetings or sessions a month (for the monthly example).",
    )
    activity_type = models.CharField(
        "paid as",
        max_length=32,
        choices=ActivityType.choices,
        default=ActivityType.MEETING,
        help_text="The activity the payment policy pays this role's sessions as.",
    )
    session_minutes = models.PositiveIntegerField(
        "length of a session (minutes)", default=120, help_text="A typical meeting or session."
    )
    preparation_minutes = models.PositiveIntegerField(
        "preparation per session (minutes)", default=0, help_text="Reading or preparation we expect."
    )
    is_paid = models.BooleanField(
        "paid role",
        default=True,
        help_text="Paid under the payment policy in force (the page works out how much). Untick for voluntary roles.",
    )

    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    closing_date = models.DateField(db_index=True, help_text="The last day to apply.")
    access_support = models.TextField(
        "access support offered",
        blank=True,
        help_text="What we provide: interpreters, large print, travel booked for you, a buddy...",
    )
    contact_email = models.EmailField(blank=True)
    questions = StreamField(
        QuestionsBlock(),
        blank=True,
        help_text="Questions for applicants to this role (up to ten). Name, contact and access needs are always asked.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("role_kind"), FieldPanel("topic"), FieldPanel("format")]),
        FieldPanel("location"),
        FieldPanel("who_for"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("hours_per_month"),
                        FieldPanel("meetings_count"),
                        FieldPanel("sessions_per_month"),
                    ]
                ),
                FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on"), FieldPanel("closing_date")]),
            ],
            heading="Time and dates",
        ),
        MultiFieldPanel(
            [
                FieldPanel("is_paid"),
                FieldRowPanel(
                    [
                        FieldPanel("activity_type"),
                        FieldPanel("session_minutes"),
                        FieldPanel("preparation_minutes"),
                    ]
                ),
            ],
            heading="Payment (worked out from the payment policy in force)",
        ),
        FieldPanel("access_support"),
        FieldPanel("contact_email"),
        FieldPanel("questions"),
    ]
    # Everything the opportunity page shows a visitor, so the site search finds a role by its body
    # or the access support it offers.
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("who_for"),
        index.SearchField("body"),
        index.SearchField("access_support"),
        index.SearchField("location"),
        index.FilterField("closing_date"),
    ]

    parent_page_types = ["opportunities.OpportunityIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "opportunity page"

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The role must end after it starts."})
        if self.is_paid and not self.session_minutes:
            raise ValidationError(
                {"session_minutes": "Give the length of a session so the pay can be worked out."}
            )

    # State ---------------------------------------------------------------------------------------
    def is_open(self, today=None):
        return (today or timezone.localdate()) <= self.closing_date

    @property
    def closes_soon(self):
        today = timezone.localdate()
        return today <= self.closing_date <= today + timedelta(days=closing_soon_days())

    def question_list(self):
        """The editor's questions as plain dicts: question, help_text, kind, required."""
        return [dict(block.value) for block in self.questions if block.block_type == "question"]

    # Serving -------------------------------------------------------------------------------------
    def shown_pay(self, request):
        """What the role pays under the policy in force today (a preview: its draft's values)."""
        return what_it_pays(self, timezone.localdate())

    def structured_data(self, request):
        """schema.org data for search engines (see home/seo.py and opportunities/structured_data.py)."""
        posting = job_posting(self, request)
        return [posting] if posting else []

    def get_context(self, request, *args, **kwargs):
        """What the page shows; the posted form is handled by `opportunities.views.apply`."""
        context = super().get_context(request, *args, **kwargs)
        context["pay"] = self.shown_pay(request)
        context["is_open"] = self.is_open()
        vary_on_query(request, [("already", "1")] if request.GET.get("already") == "1" else [])
        cache_until(request, _tomorrow())  # open or closed, and today's rates, change with the day
        if context["is_open"] and "form" not in context:
            context["form"] = ApplicationForm(opportunity=self)
        return context
