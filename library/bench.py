"""`make bench` for the library: 10,000 resources (`--resources N` for another size), the library page
filtered and uncached."""

from django.http import QueryDict

FILTERED = "type=paper&type=guide&topic=power&topic=ethics&audience=researchers&year_from=2005&free=1&sort=title&page=2"


def _library():
    from .models import LibraryPage

    return LibraryPage.objects.live().first()


def target():
    """How many resources the bench's library holds (`make bench BENCH_ARGS="--resources N"`)."""
    from django.conf import settings

    return getattr(settings, "BENCH_RESOURCES", 10_000)


def setup(stdout):
    """Tops the demo library up to `target()` resources with bulk-created synthetic ones (idempotent)."""
    from home.models import HomePage

    from .demo import build_library, build_synthetic, build_taxonomy
    from .models import ResourcePage

    build_taxonomy()
    library = _library() or build_library(HomePage.objects.first())
    have = ResourcePage.objects.child_of(library).count()
    synthetic_now = (
        ResourcePage.objects.child_of(library).filter(slug__startswith="synthetic-resource").count()
    )
    needed = max(target() - (have - synthetic_now), 0)
    created = build_synthetic(library, needed)
    stdout.write(f"  library: {ResourcePage.objects.child_of(library).count()} resources ({created} added)\n")


def scenarios():
    library = _library()
    if library is None:
        return []
    url = library.url
    return [
        {"name": f"library page, {target():,} resources, filtered", "path": f"{url}?{FILTERED}"},
        {"name": f"library page, {target():,} resources, no filters", "path": url},
        {"name": "library page, search and filter", "path": f"{url}?q=co-production&topic=power"},
    ]


def measurements():
    from .services import export_rows

    library = _library()
    if library is None:
        return []
    return [
        ("library CSV/JSON export rows, filtered", lambda: export_rows(library, QueryDict(FILTERED))),
        (f"library export rows, whole library ({target():,})", lambda: export_rows(library, QueryDict(""))),
    ]
