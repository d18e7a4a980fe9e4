"""Demo content for the library: the taxonomy, a library page and 63 resources.

The resources are `demo_data/resources.csv`, loaded by the importer (`manage.py import_resources` reads
the same format). Titles (and authors, where the listing names them) come from the real listing in the
shared seeds; every summary there is our own short description. Years are given only where the listing
states them. Idempotent: terms are found by slug and resources by the importer's matching, and only
what is missing is made (resources that exist are left as editors left them).
`--resources N` adds N synthetic resources (bulk-created) for benchmarks.
"""

from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils.text import slugify
from wagtail.search.backends import get_search_backends
from wagtail.search.models import IndexEntry

from accounts.models import User
from home.demo import add_menu_link
from home.models import HomePage
from portal.cache import purge

from .factories import LibraryPageFactory, bulk_create_resources, synthetic_specs
from .importer import import_resources
from .models import Audience, LibraryPage, ResourcePage, ResourceSuggestion, ResourceType, Topic
from .suggestions.services import suggest_resource

DEMO_RESOURCES = Path(__file__).resolve().parent / "demo_data" / "resources.csv"

TYPES = [
    ("toolkit", "Toolkit"),
    ("guide", "Guide"),
    ("paper", "Paper or article"),
    ("report", "Report"),
    ("book", "Book"),
    ("video", "Video"),
    ("podcast", "Podcast"),
    ("course", "Course"),
    ("case-study", "Case study"),
]
TOPICS = [
    ("power", "Power and co-production"),
    ("payment", "Payment and recognition"),
    ("ethics", "Ethics"),
    ("accessibility", "Accessibility and inclusion"),
    ("evaluation", "Evaluation"),
    ("mental-health", "Mental health"),
    ("children", "Children and young people"),
    ("community", "Community and participatory research"),
    ("creative", "Creative methods"),
    ("climate", "Climate and place"),
]
AUDIENCES = [
    ("researchers", "Researchers"),
    ("public", "Public contributors"),
    ("practitioners", "Practitioners"),
    ("organisations", "Organisations and commissioners"),
]

SYNTHETIC_PREFIX = "Synthetic resource"


def add_arguments(parser):
    parser.add_argument(
        "--resources",
        type=int,
        default=0,
        metavar="N",
        help="Also create N synthetic resources in the library (bulk-created, for benchmarks).",
    )


def build_taxonomy():
    terms = {}
    for model, entries in ((ResourceType, TYPES), (Topic, TOPICS), (Audience, AUDIENCES)):
        for slug, name in entries:
            term = model.objects.filter(slug=slug).first() or model.objects.create(slug=slug, name=name)
            terms[(model, slug)] = term
    return terms


def build_library(home):
    library = LibraryPage.objects.child_of(home).first()
    if library is None:
        library = LibraryPageFactory(
            parent=home,
            title="Resource library",
            slug="resources",
            introduction="<p>Toolkits, guides, papers, videos and more about co-producing health and care "
            "research. Filter by type, topic, audience and year, or search.</p>",
        )
    add_menu_link(library, "Resources")
    return library


def build_resources(library):
    """Imports the demo resources that are missing from `library`; returns how many were created."""
    result = import_resources(DEMO_RESOURCES, library=library, suggest_types=False, update_existing=False)
    if result.rejected:
        raise ValueError(f"The demo resources do not import: {result.rejected}")
    return len(result.created)


def build_synthetic(library, count):
    """Tops the library up to `count` synthetic resources (bulk-created; idempotent)."""
    have = ResourcePage.objects.child_of(library).filter(slug__startswith=slugify(SYNTHETIC_PREFIX)).count()
    if count <= have:
        if index_synthetic(library):
            refresh_statistics()
        return 0
    specs = synthetic_specs(
        count,
        types=list(ResourceType.objects.order_by("pk")),
        topics=list(Topic.objects.order_by("pk")),
        audiences=list(Audience.objects.order_by("pk")),
        prefix=SYNTHETIC_PREFIX,
    )
    existing = set(ResourcePage.objects.child_of(library).values_list("slug", flat=True))
    created = bulk_create_resources(library, (spec for spec in specs if spec["slug"] not in existing))
    index_synthetic(library)
    refresh_statistics()
    return created


def index_synthetic(library, chunk_size=500):
    """Adds bulk-created synthetic resources that are not yet in the search index to it, in chunks
    (bulk_create skips the save signals that index a page); returns how many were indexed.

    Idempotent: resources that already have an index entry are left alone, so a library built
    before this existed is brought up to date by running it again.
    """
    synthetic = ResourcePage.objects.child_of(library).filter(slug__startswith=slugify(SYNTHETIC_PREFIX))
    indexed = IndexEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ResourcePage)
    ).values_list("object_id", flat=True)
    ids = sorted(set(synthetic.values_list("pk", flat=True)) - {int(pk) for pk in indexed})
    backends = list(get_search_backends(with_auto_update=True))
    for start in range(0, len(ids), chunk_size):
        chunk = list(ResourcePage.objects.filter(pk__in=ids[start : start + chunk_size]).order_by("pk"))
        for backend in backends:
            backend.add_bulk(ResourcePage, chunk)
    if ids:
        purge("*")  # search results change (the index is written without model signals)
    return len(ids)


def refresh_statistics():
    """Refreshes the query planner's statistics for the tables a bulk load has just filled.

    PostgreSQL: without them (autovacuum may be off, or not have run yet) the planner expects one
    resource where there are 10,000 and picks nested loops, 3 to 4 times slower. SQLite: only the
    search index, where statistics stop the planner from running the full-text MATCH once per index
    entry (about 600 ms a search at 10,000 resources, 1 ms with them); statistics on the library's
    own tables would make SQLite's listing plans worse, so they are left out.
    """
    if connection.vendor == "postgresql":
        tables = [
            "wagtailcore_page",
            "library_resourcepage",
            "library_resourcepage_topics",
            "library_resourcepage_audiences",
            "wagtailsearch_indexentry",
        ]
    elif connection.vendor == "sqlite":
        tables = ["wagtailsearch_indexentry"]
    else:
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def load(command, options):
    home = HomePage.objects.first()
    build_taxonomy()
    library = build_library(home)
    created = build_resources(library)
    synthetic = build_synthetic(library, options.get("resources") or 0)
    suggested = build_suggestions(library)
    command.stdout.write(
        f"Library: {len(TYPES)} types, {len(TOPICS)} topics, {len(AUDIENCES)} audiences; "
        f"{created} new resource(s), {synthetic} synthetic, {suggested} community suggestion(s)."
    )


DEMO_SUGGESTIONS = [
    {
        "title": "Paying people fairly: a community checklist",
        "url": "https://example.org/paying-people-fairly",
        "why_useful": "A one-page list of what to agree about payment before anyone gives their time.",
        "topic": "payment",
        "name": "Priya Shah",
        "email": "priya.shah@example.org",
        "credit": True,
        "approve": True,
    },
    {
        "title": "Easy-read consent forms: worked examples",
        "url": "https://example.org/easy-read-consent",
        "why_useful": "Shows three consent forms rewritten in easy read, with what changed and why.",
        "topic": "accessibility",
        "name": "Tom Okafor",
        "email": "tom.okafor@example.org",
        "credit": False,
        "approve": False,
    },
]


def build_suggestions(library):
    """Two community suggestions through the real service: one approved in the workflow by the demo
    moderator (published, credited), one waiting for review."""
    moderator = User.objects.filter(email="moderator@example.org").first()
    made = 0
    for spec in DEMO_SUGGESTIONS:
        if ResourceSuggestion.objects.filter(title=spec["title"]).exists():
            continue
        if ResourcePage.objects.filter(title=spec["title"]).exists():
            continue
        topics = list(Topic.objects.filter(slug=spec["topic"]))
        data = {key: spec[key] for key in ("title", "url", "why_useful", "name", "email", "credit")}
        suggestion = suggest_resource(library, data={**data, "topics": topics, "audiences": []})
        made += 1
        if spec["approve"] and moderator is not None:
            task_state = suggestion.page.current_workflow_task_state.specific
            task_state.task.specific.on_action(task_state, moderator, "approve")
    return made
