"""The library's tags: resource types, topics and audiences (snippets)."""

from django.db import models
from wagtail.admin.panels import FieldPanel


class TaxonomyTerm(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(
        max_length=100, unique=True, help_text="Used in shareable library addresses, e.g. ?topic=ethics."
    )
    description = models.TextField(blank=True, help_text="Optional: what belongs under this term.")

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class ResourceType(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = "resource type"


class Topic(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = "topic"


class Audience(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = "audience"
