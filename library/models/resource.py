"""A resource in the library, and the limits its fields keep to."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
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
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100

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
            ],
            heading="Details",
        ),
        FieldPanel("body"),
    ]
    # Page.search_fields already indexes the title (boost 2); the summary is indexed without a
    # boost, so a match in the title ranks above a match in the summary.
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("author"),
        index.FilterField("year"),
        index.FilterField("is_free"),
        index.FilterField("resource_type"),
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
        indexes = [
            # Covers the listing's narrow filters and facet grouping (type, free, year) without
            # reading the wide rows (summary, body).
            models.Index(fields=["resource_type", "is_free", "year"], name="library_res_type_free_year"),
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
