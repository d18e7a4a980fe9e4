"""The library's tags: resource types, topics and audiences (snippets)."""

from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel

# Topics and audiences each have a bit of their own in a 64-bit integer column on every resource (the
# listing filters and counts by them without joining the link tables: see ResourcePage.topic_bits).
# Bits 0 to 62: the 64th would make the (signed) column negative.
MAX_BIT_TERMS = 63


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


class BitTerm(TaxonomyTerm):
    """A term with its own bit (`mask`) in the resources' `<facet>_bits` column; the bit is given once,
    when the term is made, and is free again only after it is deleted and its resources refreshed."""

    bit = models.PositiveSmallIntegerField(unique=True, null=True, editable=False)

    class Meta(TaxonomyTerm.Meta):
        abstract = True

    def save(self, *args, **kwargs):
        if self.bit is None:
            self.bit = self._free_bit()
            if self.bit is None:
                raise ValidationError(f"There is no room for another {self._meta.verbose_name}.")
        super().save(*args, **kwargs)

    @property
    def mask(self):
        return 1 << self.bit

    def _free_bit(self):
        taken = set(type(self)._default_manager.exclude(bit=None).values_list("bit", flat=True))
        return next((bit for bit in range(MAX_BIT_TERMS) if bit not in taken), None)

    def clean(self):
        super().clean()
        if self.bit is None and self._free_bit() is None:
            raise ValidationError(
                f"The library has room for {MAX_BIT_TERMS} {self._meta.verbose_name_plural}: "
                "delete one that is not needed first."
            )


class ResourceType(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = "resource type"


class Topic(BitTerm):
    class Meta(BitTerm.Meta):
        verbose_name = "topic"


class Audience(BitTerm):
    class Meta(BitTerm.Meta):
        verbose_name = "audience"
