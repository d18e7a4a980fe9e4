"""The listing's columns on each resource (`ResourcePage.listed_in`, the sort keys and the tag bits, kept
by `library.models.resource.refresh_listing`) equal what Wagtail and the tag links say, after every kind
of change: a resource is listed in its library exactly when it is live and public."""

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from wagtail.models import Page, PageViewRestriction

from library.factories import LibraryPageFactory, TopicFactory, bulk_create_resources, synthetic_specs
from library.models import LibraryPage, ResourcePage, Topic
from library.models.resource import NEVER_PUBLISHED, refresh_listing
from library.models.terms import MAX_BIT_TERMS
from library.services import library_listing

pytestmark = pytest.mark.usefixtures("no_page_cache")


def expected_columns(resource):
    """What the columns must hold, from Wagtail's own querysets and the tag links."""
    parent = resource.get_parent().specific
    shown = ResourcePage.objects.live().public().filter(pk=resource.pk).exists()
    return {
        "listed_in_id": parent.pk if shown and isinstance(parent, LibraryPage) else None,
        "listing_title": resource.title,
        "listing_year": resource.year or 0,
        "listing_published_at": resource.first_published_at or NEVER_PUBLISHED,
        "topic_bits": sum(1 << topic.bit for topic in resource.topics.all()),
        "audience_bits": sum(1 << audience.bit for audience in resource.audiences.all()),
    }


def assert_columns_follow():
    for resource in ResourcePage.objects.all():
        stored = {name: getattr(resource, name) for name in expected_columns(resource)}
        assert stored == expected_columns(resource), resource.title


def listed(library, query=""):
    return {resource.title for resource in library_listing(library, QueryDict(query))["resources"]}


@pytest.fixture
def resources(make_resource, taxonomy):
    t = taxonomy
    return {
        "a": make_resource(title="Ethics toolkit", topics=[t["ethics"]], audiences=[t["public"]], year=2019),
        "b": make_resource(title="Paying people", topics=[t["payment"], t["ethics"]], year=None),
    }


def test_new_resources_have_their_columns(library, resources):
    assert_columns_follow()
    assert listed(library) == {"Ethics toolkit", "Paying people"}
    assert listed(library, "topic=ethics&audience=public") == {"Ethics toolkit"}


def test_publishing_a_revision_unpublishing_and_republishing(library, resources, taxonomy):
    resource = resources["a"]
    resource.title = "Ethics toolkit, second edition"
    resource.topics = [taxonomy["mental-health"]]
    resource.save_revision().publish()
    assert_columns_follow()
    assert listed(library, "topic=mental-health") == {"Ethics toolkit, second edition"}
    assert listed(library, "topic=ethics") == {"Paying people"}

    resource.unpublish()  # as its own type
    assert_columns_follow()
    assert listed(library) == {"Paying people"}

    resource.save_revision().publish()
    Page.objects.get(pk=resources["b"].pk).unpublish()  # as a plain page
    assert_columns_follow()
    assert listed(library) == {"Ethics toolkit, second edition"}

    Page.objects.filter(pk=resource.pk).unpublish()  # a queryset of plain pages
    assert_columns_follow()
    assert listed(library) == set()


def test_drafts_are_not_listed(library, taxonomy):
    draft = ResourcePage(title="Not yet", slug="not-yet", live=False)
    library.add_child(instance=draft)
    draft.save_revision()
    assert_columns_follow()
    assert listed(library) == set()
    draft.get_latest_revision().publish()
    assert_columns_follow()
    assert listed(library) == {"Not yet"}


def test_view_restrictions_on_the_resource_or_above_it(library, resources):
    restriction = PageViewRestriction.objects.create(
        page=resources["a"], restriction_type=PageViewRestriction.LOGIN
    )
    assert_columns_follow()
    assert listed(library) == {"Paying people"}
    restriction.delete()
    assert_columns_follow()
    assert listed(library) == {"Ethics toolkit", "Paying people"}
    PageViewRestriction.objects.create(
        page=library, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    assert_columns_follow()
    assert listed(library) == set()


def test_moving_a_resource_to_another_library(home_page, library, resources):
    other = LibraryPageFactory(parent=home_page, title="Another library", slug="another")
    resources["a"].move(other, pos="last-child")
    assert_columns_follow()
    assert listed(library) == {"Paying people"}
    assert listed(other) == {"Ethics toolkit"}


def test_moving_a_library_under_a_private_page(home_page, library, resources):
    private = home_page.add_child(instance=LibraryPageFactory.build(title="Members", slug="members"))
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    library.refresh_from_db()
    library.move(private, pos="last-child")
    assert_columns_follow()
    assert listed(library) == set()


def test_deleting_a_topic_frees_its_bit(library, resources, taxonomy):
    ethics = taxonomy["ethics"]
    bit = ethics.bit
    ethics.delete()
    assert_columns_follow()
    assert listed(library, "topic=payment") == {"Paying people"}
    assert TopicFactory(name="Newcomer").bit == bit
    assert listed(library, "topic=newcomer") == set()


def test_bulk_created_resources_and_a_refresh_that_changes_nothing(library, taxonomy):
    topics = [taxonomy["ethics"], taxonomy["payment"]]
    bulk_create_resources(
        library, synthetic_specs(30, types=[], topics=topics, audiences=[taxonomy["researchers"]])
    )
    assert_columns_follow()
    assert refresh_listing(ResourcePage.objects.all()) == 0
    assert len(library_listing(library, QueryDict(""))["resources"]) == 20


def test_each_facet_has_room_for_63_terms(db):
    for n in range(MAX_BIT_TERMS - Topic.objects.count()):
        TopicFactory(name=f"Topic number {n}")
    assert sorted(Topic.objects.values_list("bit", flat=True)) == list(range(MAX_BIT_TERMS))
    extra = Topic(name="One too many", slug="one-too-many")
    with pytest.raises(ValidationError):
        extra.full_clean()
    with pytest.raises(ValidationError):
        extra.save()
