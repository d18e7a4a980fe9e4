import random
import uuid
from itertools import islice

import factory
import wagtail_factories
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Page

from portal.cache import purge

from .models import Audience, LibraryPage, ResourcePage, ResourceType, Topic
from .models.resource import NEVER_PUBLISHED


class TermFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Term {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))

    class Meta:
        abstract = True
        django_get_or_create = ("slug",)


class ResourceTypeFactory(TermFactory):
    name = factory.Sequence(lambda n: f"Type {n}")

    class Meta:
        model = ResourceType


class TopicFactory(TermFactory):
    name = factory.Sequence(lambda n: f"Topic {n}")

    class Meta:
        model = Topic


class AudienceFactory(TermFactory):
    name = factory.Sequence(lambda n: f"Audience {n}")

    class Meta:
        model = Audience


class LibraryPageFactory(wagtail_factories.PageFactory):
    title = "Resource library"
    slug = "resources"
    introduction = "<p>Toolkits, guides, papers and videos about co-producing research.</p>"

    class Meta:
        model = LibraryPage


class ResourcePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Resource {n}")
    summary = factory.Faker("sentence", nb_words=20)
    author = factory.Faker("company", locale="en_GB")
    year = 2022
    external_url = factory.Sequence(lambda n: f"https://example.org/resources/{n}")
    is_free = True
    is_featured = False
    first_published_at = factory.LazyFunction(timezone.now)

    # Pass topics=[...] and audiences=[...]: they are ParentalManyToManyFields, saved with the page.

    class Meta:
        model = ResourcePage


def _bits(bits, term_ids):
    found = 0
    for term_id in term_ids:
        found |= 1 << bits[term_id]
    return found


def bulk_create_resources(library, specs, batch_size=500):
    """Creates many live resource pages under `library` in a few bulk inserts (for benchmarks,
    large tests and synthetic demo data); returns the number created.

    `specs` is an iterable of dicts with a "title" and optionally summary, slug, year, author,
    external_url, is_free, is_featured, resource_type_id, topic_ids and audience_ids.

    Wagtail pages are tree nodes in a multi-table model, which Django's bulk_create cannot insert:
    so the Page rows are bulk-created with their tree paths computed here (after the library's
    existing children), then the ResourcePage rows are inserted for those ids, then the tag links.
    The library's `numchild` is updated to match, which keeps the tree valid (`fixtree` finds
    nothing). Pages made this way have no revision and are not in the search index until
    `update_index` runs.
    """
    content_type = ContentType.objects.get_for_model(ResourcePage)
    topic_link = ResourcePage.topics.through
    audience_link = ResourcePage.audiences.through
    specs = iter(specs)
    created = 0
    with transaction.atomic():
        library = Page.objects.select_for_update().get(pk=library.pk)
        last_child = library.get_last_child()
        step = (Page._str2int(last_child.path[-Page.steplen :]) if last_child else 0) + 1
        existing_slugs = set(Page.objects.child_of(library).values_list("slug", flat=True))
        now = timezone.now()
        # The listing's columns (ResourcePage.refresh_listing), set here as no save sets them: the
        # new pages are live children of the library, listed unless a view restriction covers it.
        listed_in = library.pk if Page.objects.filter(pk=library.pk).public().exists() else None
        topic_bits = dict(Topic.objects.values_list("pk", "bit"))
        audience_bits = dict(Audience.objects.values_list("pk", "bit"))
        while batch := list(islice(specs, batch_size)):
            pages, details = [], []
            for spec in batch:
                slug = spec.get("slug") or slugify(spec["title"])[:200] or "resource"
                base, n = slug, 2
                while slug in existing_slugs:
                    slug = f"{base[:190]}-{n}"
                    n += 1
                existing_slugs.add(slug)
                pages.append(
                    Page(
                        title=spec["title"],
                        draft_title=spec["title"],
                        slug=slug,
                        content_type=content_type,
                        path=Page._get_path(library.path, library.depth + 1, step),
                        depth=library.depth + 1,
                        numchild=0,
                        url_path=f"{library.url_path}{slug}/",
                        live=True,
                        has_unpublished_changes=False,
                        first_published_at=spec.get("published_at", now),
                        last_published_at=spec.get("published_at", now),
                        locale_id=library.locale_id,
                        translation_key=uuid.uuid4(),
                    )
                )
                details.append(spec)
                step += 1
            pages = Page.objects.bulk_create(pages)
            resources = []
            for page, spec in zip(pages, details, strict=True):
                resource = ResourcePage(
                    page_ptr_id=page.pk,
                    summary=spec.get("summary", ""),
                    author=spec.get("author", ""),
                    year=spec.get("year"),
                    external_url=spec.get("external_url", ""),
                    is_free=spec.get("is_free", True),
                    is_featured=spec.get("is_featured", False),
                    resource_type_id=spec.get("resource_type_id"),
                    listed_in_id=listed_in,
                    listing_title=page.title[:255],
                    listing_year=spec.get("year") or 0,
                    listing_published_at=page.first_published_at or NEVER_PUBLISHED,
                    topic_bits=_bits(topic_bits, spec.get("topic_ids", ())),
                    audience_bits=_bits(audience_bits, spec.get("audience_ids", ())),
                )
                resource.__dict__.update(
                    {f.attname: getattr(page, f.attname) for f in Page._meta.concrete_fields}
                )
                resources.append(resource)
            # Only the resourcepage table's own columns: the page rows exist already.
            local_fields = [f for f in ResourcePage._meta.local_concrete_fields]
            ResourcePage._base_manager._insert(resources, fields=local_fields, using="default")
            topic_link.objects.bulk_create(
                topic_link(resourcepage_id=page.pk, topic_id=topic_id)
                for page, spec in zip(pages, details, strict=True)
                for topic_id in spec.get("topic_ids", ())
            )
            audience_link.objects.bulk_create(
                audience_link(resourcepage_id=page.pk, audience_id=audience_id)
                for page, spec in zip(pages, details, strict=True)
                for audience_id in spec.get("audience_ids", ())
            )
            created += len(pages)
        Page.objects.filter(pk=library.pk).update(numchild=library.numchild + created)
        purge("*")  # bulk inserts send no model signal
    return created


SYNTHETIC_WORDS = [
    "co-production",
    "power",
    "sharing",
    "payment",
    "recognition",
    "ethics",
    "access",
    "inclusion",
    "evaluation",
    "mental",
    "health",
    "children",
    "young",
    "people",
    "community",
    "participatory",
    "creative",
    "methods",
    "climate",
    "place",
    "lived",
    "experience",
    "toolkit",
    "guide",
    "research",
    "public",
    "involvement",
    "partnership",
    "trust",
    "budget",
    "reflection",
]


def synthetic_specs(count, *, types, topics, audiences, seed=0, prefix="Synthetic resource"):
    """`count` deterministic resource specs spread over every type, topic and audience (for
    `bulk_create_resources`): resource i has type i mod T, one or two topics and one or two
    audiences, a year from 2000 to 2025, and every third one is not free."""
    rng = random.Random(seed)
    type_ids = [t.pk for t in types]
    topic_ids = [t.pk for t in topics]
    audience_ids = [a.pk for a in audiences]
    for i in range(count):
        words = rng.sample(SYNTHETIC_WORDS, 4)
        yield {
            "title": f"{prefix} {seed}-{i}: {' '.join(words[:2])}",
            "slug": f"{slugify(prefix)}-{seed}-{i}",
            "summary": f"A synthetic resource about {', '.join(words)} for benchmarks.",
            "author": "Synthetic Data Collective",
            "year": 2000 + i % 26,
            "is_free": i % 3 != 0,
            "resource_type_id": type_ids[i % len(type_ids)] if type_ids else None,
            "topic_ids": sorted({topic_ids[i % len(topic_ids)], topic_ids[(i * 7 + 3) % len(topic_ids)]})
            if topic_ids
            else [],
            "audience_ids": sorted(
                {audience_ids[i % len(audience_ids)], audience_ids[(i // 2) % len(audience_ids)]}
            )
            if audience_ids
            else [],
        }
