"""A resource in the library, the limits its fields keep to, and the columns the listing reads."""

from datetime import UTC, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import connections, models
from modelcluster.fields import ParentalManyToManyField
from rest_framework import serializers
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from home import seo
from home.blocks import BaseStreamBlock

from .terms import Audience, ResourceType, Topic

RESOURCES_PER_PAGE = 20
# The listing's publication date of a resource never published: before any real one.
NEVER_PUBLISHED = datetime(1900, 1, 1, tzinfo=UTC)
# What a resource's listing columns are worked out from (a save naming none of these leaves them be).
LISTING_SOURCES = {"title", "live", "first_published_at", "year", "topics", "audiences"}
# The columns themselves, in the order `refresh_listing` works them out.
LISTING_COLUMNS = [
    "listed_in",
    "listing_title",
    "listing_year",
    "listing_published_at",
    "topic_bits",
    "audience_bits",
]
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100

# The columns the listing's filters read, which its order indexes hold too (see ResourcePage.Meta).
FILTERED_COLUMNS = ["resource_type", "is_free", "year", "topic_bits", "audience_bits"]

# Only web links: javascript:, data: or ftp: links would be unsafe or useless to visitors.
http_url_validator = URLValidator(
    schemes=["http", "https"], message="Enter a web address starting with http:// or https://."
)


class ResourcePage(Page):
    # Blank is allowed because some imported listings have entries without one; the "resources
    # needing tags" report lists those for editors.
    summary = models.TextField(
        max_length=2000, blank=True, help_text="A short paragraph shown in listings and search results."
    )
    body = StreamField(BaseStreamBlock(), blank=True, help_text="Optional: more about the resource.")
    resource_type = models.ForeignKey(
        ResourceType,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
        verbose_name="type",
    )
    topics = ParentalManyToManyField(Topic, blank=True, related_name="resources")
    audiences = ParentalManyToManyField(Audience, blank=True, related_name="resources")
    author = models.CharField(
        "author or organisation", max_length=255, blank=True, help_text="Who wrote or published it."
    )
    year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        db_index=True,
        validators=[MinValueValidator(EARLIEST_YEAR), MaxValueValidator(LATEST_YEAR)],
        help_text="Year of publication.",
    )
    external_url = models.URLField(
        "external link",
        max_length=500,
        blank=True,
        validators=[http_url_validator],
        help_text="Where the resource lives, if elsewhere (http:// or https:// only).",
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Optional: an uploaded copy (PDF, Word, slides...).",
    )
    is_free = models.BooleanField("free to access", default=True, db_index=True)
    is_featured = models.BooleanField(
        "featured", default=False, help_text="Show on the home page among featured resources."
    )
    suggested_by = models.CharField(
        max_length=200,
        blank=True,
        help_text='Shown as "Suggested by": the community member who suggested it, only if they agreed.',
    )

    # The listing's columns, kept by `refresh_listing` after every change to what they are worked out
    # from (this page's save, unpublishing, moves, view restrictions, deleted tags): the library
    # filters, counts and orders its resources from this row and its indexes alone, never joining
    # the page tree, the tag links or the page table (a join costs a lookup per resource).
    listed_in = models.ForeignKey(
        "library.LibraryPage",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # the listing's indexes below start with it
        help_text="The library listing this resource: its parent, while it is live and public.",
    )
    listing_title = models.CharField(max_length=255, blank=True, editable=False)
    listing_year = models.PositiveSmallIntegerField(default=0, editable=False)  # 0: no year, last
    listing_published_at = models.DateTimeField(default=NEVER_PUBLISHED, editable=False)
    # One bit per topic and audience (`Topic.bit`, `Audience.bit`): a filter is `bits & mask`.
    topic_bits = models.BigIntegerField(default=0, editable=False)
    audience_bits = models.BigIntegerField(default=0, editable=False)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("resource_type"),
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                FieldPanel("audiences", widget=forms.CheckboxSelectMultiple),
            ],
            heading="Tags",
            help_text="Tags let visitors find the resource with the library's filters.",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("author"), FieldPanel("year")]),
                FieldPanel("external_url"),
                FieldPanel("document"),
                FieldRowPanel([FieldPanel("is_free"), FieldPanel("is_featured")]),
                FieldPanel("suggested_by"),
            ],
            heading="Details",
        ),
        FieldPanel("body"),
    ]
    # Page.search_fields already indexes the title (boost 2); the summary and body are indexed
    # without a boost, so a match in the title ranks above a match in the text.
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("author"),
        index.FilterField("year"),
        index.FilterField("is_free"),
        index.FilterField("resource_type"),
        index.FilterField("listed_in"),  # a library's resources are searched as `LibraryPage.resources()`
    ]

    parent_page_types = ["library.LibraryPage"]
    subpage_types = []

    # The Wagtail API v2 (/api/v2/resources/): open data about each resource, tags as names.
    api_fields = [
        APIField("summary"),
        APIField("resource_type", serializer=serializers.CharField(source="type_name", read_only=True)),
        APIField("topics", serializer=serializers.ListField(source="topic_names", read_only=True)),
        APIField("audiences", serializer=serializers.ListField(source="audience_names", read_only=True)),
        APIField("author"),
        APIField("year"),
        APIField("external_url"),
        APIField("is_free"),
        APIField("is_featured"),
    ]

    class Meta:
        verbose_name = "resource"
        # Each starts with the library and holds every column a filter reads, so the listing reads
        # its indexes only: the facet counts (grouped in this order) and the two orders of results.
        indexes = [
            models.Index(
                # The key last: PostgreSQL joins a search's matches to this index alone.
                fields=[
                    "listed_in",
                    "resource_type",
                    "is_free",
                    "topic_bits",
                    "audience_bits",
                    "year",
                    "page_ptr",
                ],
                name="library_res_listing_counts",
            ),
            models.Index(
                fields=[
                    "listed_in",
                    "-listing_year",
                    "-listing_published_at",
                    "-page_ptr",
                    *FILTERED_COLUMNS,
                ],
                name="library_res_listing_newest",
            ),
            models.Index(
                fields=["listed_in", "listing_title", "page_ptr", *FILTERED_COLUMNS],
                name="library_res_listing_title",
            ),
            # The home page's featured and latest resources: newest first publication first.
            models.Index(
                fields=["listed_in", "-listing_published_at", "-page_ptr", "is_featured"],
                name="library_res_listing_latest",
            ),
        ]

    def structured_data(self, request):
        """schema.org CreativeWork: what the resource is, who made it, its topics and audiences."""
        url = self.get_full_url(request)
        data = {
            "@context": "https://schema.org",
            "@type": "CreativeWork",
            "name": self.title,
            "url": url,
            "mainEntityOfPage": url,
            "isAccessibleForFree": self.is_free,
            "inLanguage": "en-GB",
        }
        description = seo.trim(self.search_description or self.summary, 500)
        if description:
            data["description"] = description
        if self.author:
            data["creditText"] = self.author
        if self.year:
            data["datePublished"] = str(self.year)
        if self.resource_type_id:
            data["genre"] = self.resource_type.name
        topics = self.topic_names
        if topics:
            data["keywords"] = ", ".join(topics)
            data["about"] = [{"@type": "Thing", "name": name} for name in topics]
        audiences = self.audience_names
        if audiences:
            data["audience"] = [{"@type": "Audience", "audienceType": name} for name in audiences]
        if self.external_url:
            data["sameAs"] = self.external_url
        if self.document_id:
            data["associatedMedia"] = {
                "@type": "MediaObject",
                "name": self.document.title,
                "contentUrl": seo.absolute(request, self.document.url),
            }
        return [data]

    @property
    def type_name(self):
        return self.resource_type.name if self.resource_type_id else ""

    @property
    def topic_names(self):
        return [topic.name for topic in self.topics.all()]

    @property
    def audience_names(self):
        return [audience.name for audience in self.audiences.all()]

    def save(self, *args, **kwargs):
        result = super().save(*args, **kwargs)
        # After the save: the parental tags are written by then.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or LISTING_SOURCES & set(update_fields):
            refresh_listing(ResourcePage.objects.filter(pk=self.pk))
        return result

    def clean(self):
        super().clean()
        if self.external_url:
            try:
                http_url_validator(self.external_url)
            except ValidationError as exc:
                raise ValidationError({"external_url": exc.messages}) from exc

    @property
    def link(self):
        """Where a visitor goes to get the resource: the external link, else the uploaded document."""
        if self.external_url:
            return self.external_url
        if self.document_id:
            return self.document.url
        return ""


def _bits(relation, ids):
    """{resource id: the OR of its terms' bits} for one tag relation ("topics" or "audiences")."""
    through = getattr(ResourcePage, relation).through
    term = ResourcePage._meta.get_field(relation).related_model._meta.model_name
    bits = {}
    for resource_id, bit in through.objects.filter(
        resourcepage_id__in=ids, **{f"{term}__bit__isnull": False}
    ).values_list("resourcepage_id", f"{term}__bit"):
        bits[resource_id] = bits.get(resource_id, 0) | 1 << bit
    return bits


def refresh_listing(resources, batch_size=2000):
    """Sets the listing columns of `resources` (a ResourcePage queryset) from the database; returns
    how many rows changed.

    What must stay true, for every resource, after every change: `listed_in` is its parent library
    exactly when the resource is in `ResourcePage.objects.live().public()` (Wagtail's own
    definition, read here), and is empty otherwise; the other columns copy the page's title, year and
    first publication, and hold the bits of its topics and audiences. tests/library/test_listing_columns.py
    checks this after each kind of change.
    """
    library_model = ResourcePage._meta.get_field("listed_in").related_model
    columns = [ResourcePage._meta.get_field(name).column for name in LISTING_COLUMNS]
    connection = connections[resources.db]
    changed = []
    ids = list(resources.order_by().values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        rows = ResourcePage.objects.filter(pk__in=chunk)
        shown = set(rows.live().public().values_list("pk", flat=True))
        pages = list(rows.values_list("pk", "path", "title", "year", "first_published_at", *columns))
        parents = {path[: -Page.steplen] for _pk, path, *_rest in pages}
        libraries = dict(library_model.objects.filter(path__in=parents).values_list("path", "pk"))
        topics, audiences = _bits("topics", chunk), _bits("audiences", chunk)
        for pk, path, title, year, published, *current in pages:
            wanted = [
                libraries.get(path[: -Page.steplen]) if pk in shown else None,
                title[:255],
                year or 0,
                published or NEVER_PUBLISHED,
                topics.get(pk, 0),
                audiences.get(pk, 0),
            ]
            if wanted != current:
                wanted[3] = connection.ops.adapt_datetimefield_value(wanted[3])
                changed.append((*wanted, pk))
    if changed:
        # One UPDATE a row: bulk_update's CASE expressions grow with the batch (minutes for 100,000).
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
        table, key = quote(ResourcePage._meta.db_table), quote(ResourcePage._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {key} = %s", changed)  # noqa: S608
    return len(changed)
