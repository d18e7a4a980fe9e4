"""Demo content for the library: the taxonomy, a library page and 63 resources.

Titles (and authors, where the listing names them) come from the real listing in the shared seeds;
every summary here is our own short description. Years are given only where the listing states
them. Idempotent: terms are found by slug and resources by slug, and only what is missing is made.
`--resources N` adds N synthetic resources (bulk-created) for benchmarks.
"""

from django.utils.text import slugify

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

R, P, PR, ORG = "researchers", "public", "practitioners", "organisations"

# title, type, topics, audiences, author, year, free, featured, summary (in our own words)
RESOURCES = [
    (
        "Homeless Link Co-Production Toolkit",
        "toolkit",
        ["power", "community"],
        [PR, ORG],
        "Homeless Link",
        None,
        True,
        True,
        "Steps that homelessness services can take to start working alongside the people they support.",
    ),
    (
        "Towards a step change in co-production for climate resilience",
        "paper",
        ["climate", "community"],
        [R],
        "UK Climate Resilience programme",
        None,
        True,
        False,
        "Researchers on climate resilience projects describe what co-producing their work changed, and what made it credible and usable.",
    ),
    (
        "Mechanisms for co-designing and co-producing health and social care: a realist synthesis",
        "paper",
        ["power", "evaluation"],
        [R],
        "",
        None,
        True,
        False,
        "A review of what makes co-design and co-production work in health and care, and what lets everyone take part as equals.",
    ),
    (
        "Welcome to Home?",
        "case-study",
        ["creative", "community", "climate"],
        [P, ORG],
        "Home? heritage project",
        2024,
        True,
        False,
        "A heritage project that gathered and shared the stories of people who came to the North of England seeking safety.",
    ),
    (
        "Our payment policy",
        "guide",
        ["payment"],
        [P, ORG],
        "Co-Production Collective",
        2024,
        True,
        True,
        "A payment policy written with its community: who is offered payment, when, at what rates, and how expenses work.",
    ),
    (
        "The Groundwater Approach: Building a practical understanding of structural racism",
        "paper",
        ["power", "accessibility"],
        [ORG, PR],
        "Racial Equity Institute",
        None,
        True,
        False,
        "A metaphor and framework for seeing racial inequity as structural rather than individual.",
    ),
    (
        "Time to Talk Next Steps Co-Production Evaluation: Key Learning",
        "report",
        ["evaluation", "children"],
        [ORG, R],
        "NDTi",
        2024,
        True,
        False,
        "Lessons from co-producing the evaluation of a three-year support programme with young people with additional needs.",
    ),
    (
        "Not Another Co-Production Cookbook",
        "book",
        ["creative", "power"],
        [P, PR],
        "",
        None,
        True,
        False,
        "Recipes for good co-production, served alongside real recipes shared by the co-production community.",
    ),
    (
        "Authentistic: Co-Production with Autistic Adults",
        "case-study",
        ["mental-health", "accessibility"],
        [R, P],
        "Authentistic Research collective",
        None,
        True,
        False,
        "Autistic and non-autistic researchers explored how therapy could be adapted for autistic people, and how to co-produce safely.",
    ),
    (
        "Hearing Birdsong: Raising awareness of hearing loss in under-represented groups",
        "case-study",
        ["accessibility", "community"],
        [R, PR],
        "",
        None,
        True,
        False,
        "A workshop designed with people with hearing loss, set up so that everyone in the room could follow and contribute.",
    ),
    (
        "Black and Minoritised Women’s Voices in Maternity Care",
        "case-study",
        ["community", "accessibility"],
        [PR, ORG],
        "Maternity Voices Matter",
        None,
        True,
        False,
        "Peer researchers listened to women who are seldom heard about their maternity care and took what they learned to services.",
    ),
    (
        "Expanding co-production and growing capabilities through development of a Co-producer Associates Programme",
        "case-study",
        ["payment", "power"],
        [ORG],
        "Co-Production Collective",
        None,
        True,
        False,
        "How one community built a paid associate role so its members could lead projects on a steadier footing.",
    ),
    (
        "Co-producing innovation and improved access to hearing checks with autistic children and young people, and/or children and young people with a learning disability",
        "case-study",
        ["children", "accessibility"],
        [PR, ORG],
        "",
        None,
        True,
        False,
        "Work with young people, families and schools to design hearing checks that suit autistic young people and those with a learning disability.",
    ),
    (
        "Handling Complexity in Evidence from systematic reviews and meta-analyses of Public Health Interventions (CEPHI project)",
        "report",
        ["evaluation", "children"],
        [R],
        "EPPI-Centre, UCL",
        None,
        True,
        False,
        "Four methods, tested with public partners, for judging whether evidence about child health travels from one place to another.",
    ),
    (
        "SCIE Making events and meetings accessible",
        "guide",
        ["accessibility"],
        [PR, ORG],
        "SCIE",
        None,
        True,
        True,
        "A practical handbook for making any event or meeting one that everyone can take part in.",
    ),
    (
        "‘Building bridges’: reflections and recommendations for co-producing health research",
        "paper",
        ["power", "ethics"],
        [R],
        "",
        None,
        True,
        False,
        "Recommendations for connecting researchers and communities, including the time, money and flexibility that takes.",
    ),
    (
        "World Cafés as a participatory approach to understanding research agendas in primary care with underserved communities: reflections, challenges and lessons learned",
        "paper",
        ["community", "accessibility"],
        [R, PR],
        "",
        None,
        True,
        False,
        "How informal café-style conversations helped people who are often left out of research shape primary care priorities.",
    ),
    (
        "Co-producing knowledge: Phases, issues and the td-net toolbox",
        "paper",
        ["community", "power"],
        [R],
        "td-net",
        None,
        True,
        False,
        "The phases of producing knowledge across disciplines and sectors, with a toolbox of methods for working together.",
    ),
    (
        "Narrative Matters: Hidden LIVE – Adam's story – a mental health theatre production as an example of participatory principles and practices",
        "paper",
        ["mental-health", "creative"],
        [R, PR],
        "",
        None,
        False,
        False,
        "A theatre production about a young man's mental health, read as an example of participatory practice.",
    ),
    (
        "Research ethics when working in partnership with people outside of the University system: A project report",
        "report",
        ["ethics"],
        [R, ORG],
        "UCL",
        None,
        True,
        False,
        "What dozens of conversations with contributors, researchers and ethics committees taught about ethics in partnership work.",
    ),
    (
        "Working in partnership with people outside of the university system –Guidance for UCL researchers and staff considering ethics and research ethics",
        "guide",
        ["ethics"],
        [R],
        "UCL",
        None,
        True,
        False,
        "Guidance that helps researchers think through ethics and safeguarding when working with partners outside a university.",
    ),
    (
        "Service user experiences of participating in a Recovery and Collaborative Care Planning Café framed with CHIME",
        "paper",
        ["mental-health", "evaluation"],
        [R, PR],
        "",
        None,
        False,
        False,
        "What people who use mental health services said about taking part in a café-style care-planning approach.",
    ),
    (
        "The hitchhiker's guide to co-production",
        "paper",
        ["power"],
        [R, ORG],
        "",
        None,
        True,
        False,
        "A map of the different kinds of co-production and the trade-offs each one brings.",
    ),
    (
        "Co-creation, co-design, co-production for public health – a perspective on definitions and distinctions",
        "paper",
        ["power"],
        [R, PR],
        "",
        None,
        True,
        False,
        "Untangles three terms that are often used as if they meant the same thing.",
    ),
    (
        "Co-producing a physical activity intervention with and for people with severe mental ill health – the spaces study",
        "paper",
        ["mental-health", "community"],
        [R],
        "SPACES study",
        None,
        True,
        False,
        "How a physical activity programme was designed with people living with severe mental illness.",
    ),
    (
        "Expectations versus reality: the sustainability of co-production approaches over time",
        "paper",
        ["power", "evaluation"],
        [R, ORG],
        "",
        None,
        False,
        False,
        "Follows two programmes over time to see what helps working relationships between staff and service users last.",
    ),
    (
        "Commissioning for outcomes and co-production",
        "guide",
        ["power", "evaluation"],
        [ORG],
        "New Economics Foundation",
        None,
        True,
        False,
        "A handbook for commissioners who want to buy services for outcomes and design them with the people who use them.",
    ),
    (
        "Participatory research in and against time",
        "paper",
        ["community", "ethics"],
        [R],
        "",
        None,
        False,
        False,
        "Why the pace of research funding clashes with the time that real participation needs, and what to do about it.",
    ),
    (
        "So I'm Autistic",
        "book",
        ["children", "accessibility"],
        [P],
        "Sarah O'Brien",
        None,
        False,
        False,
        "An accessible introduction to autism for young readers, written by an autistic advocate.",
    ),
    (
        "Participatory Visions: Redesigning research for social justice",
        "report",
        ["community", "power"],
        [R, ORG],
        "",
        None,
        True,
        False,
        "Ideas for changing how research is funded and run so that participatory approaches can do justice to communities.",
    ),
    (
        "“We know that our voices are valued, and that people are actually going to listen”: co-producing an evaluation",
        "paper",
        ["children", "evaluation"],
        [R, PR],
        "",
        None,
        True,
        False,
        "Young people describe what it was like to co-produce an evaluation, and what made them feel heard.",
    ),
    (
        "How to get started with Co-Production in Social Prescribing",
        "guide",
        ["community", "power"],
        [PR],
        "",
        None,
        True,
        False,
        "A first guide to bringing co-production into social prescribing.",
    ),
    (
        "A Meeting of Minds: How co-production benefits people, professionals and organisations",
        "report",
        ["power", "evaluation"],
        [ORG, PR],
        "",
        None,
        True,
        False,
        "Sets out what co-production gives to the people involved, to professionals and to their organisations.",
    ),
    (
        "The Parable of the Blobs and Squares",
        "video",
        ["power", "creative"],
        [P, PR, ORG],
        "",
        None,
        True,
        True,
        "A short, funny animation about how systems and people see each other, and how to meet in the middle.",
    ),
    (
        "That Co-production Podcast by Research Design Service South East (RDS SE)",
        "podcast",
        ["power", "community"],
        [R, P],
        "RDS South East",
        None,
        True,
        True,
        "Conversations with people who co-produce research about what they have learned along the way.",
    ),
    (
        "The Case For Co-production Report",
        "report",
        ["power"],
        [ORG],
        "",
        None,
        True,
        False,
        "Examples of the difference made when patients, service users and carers are fully involved.",
    ),
    (
        "A Simple Guide to Co-Production",
        "guide",
        ["power", "mental-health"],
        [P],
        "",
        None,
        True,
        False,
        "A plain-language how-to for service users and survivors thinking of getting involved with their local NHS trust.",
    ),
    (
        "Co-production and decolonisation through the lenses of people, power and process",
        "video",
        ["power", "ethics"],
        [R, P],
        "Survivor Researcher Network",
        None,
        True,
        False,
        "A talk on what decolonising research asks of co-production, seen through people, power and process.",
    ),
    (
        "Theory of Change: Diagram and Shared Approach to Co-production",
        "toolkit",
        ["power", "evaluation"],
        [ORG, PR],
        "Making Every Adult Matter",
        None,
        True,
        False,
        "A theory of change for co-production, developed with people who have experience of multiple disadvantage.",
    ),
    (
        "One Day Training Day Outline: Practicing Co-Productive Relationships",
        "course",
        ["power", "mental-health"],
        [PR],
        "",
        None,
        True,
        False,
        "An outline for a one-day course on building relationships where patients and staff work as partners.",
    ),
    (
        "Some ethics of co-productive relationships",
        "paper",
        ["ethics", "mental-health"],
        [PR, R],
        "",
        None,
        True,
        False,
        "Looks at co-productive relationships through four principles of professional ethics.",
    ),
    (
        "Co-production: A Time To Shine Toolkit",
        "toolkit",
        ["community", "accessibility"],
        [PR, ORG],
        "Centre for Loneliness Studies",
        None,
        True,
        False,
        "A toolkit for co-producing activities with older people, drawn from a programme tackling loneliness.",
    ),
    (
        "Craft metrics to value co-production",
        "paper",
        ["evaluation"],
        [R, ORG],
        "",
        None,
        False,
        False,
        "Argues that research needs new ways of measuring value if co-production is to be rewarded.",
    ),
    (
        "Why should urbanists care about co-production? Sheffield Urbanism Lecture Series",
        "video",
        ["climate", "community"],
        [R],
        "University of Sheffield",
        None,
        True,
        False,
        "A recorded lecture on co-production in the study and making of cities.",
    ),
    (
        "Approaches to co-production of research in care homes: a scoping review",
        "paper",
        ["community", "evaluation"],
        [R, PR],
        "",
        None,
        True,
        False,
        "Maps how research in care homes for older people has been co-produced so far.",
    ),
    (
        "Co-production at a glance",
        "guide",
        ["power"],
        [P, ORG],
        "Involve",
        None,
        True,
        False,
        "A short overview of what co-production is and when to use it.",
    ),
    (
        "Navigating participatory research: a visual guide",
        "guide",
        ["community", "creative"],
        [R, P],
        "",
        None,
        True,
        False,
        "A visual map of participatory research that shows the many routes a project can take.",
    ),
    (
        "Exploring the value and role of creative practices in research co-production",
        "paper",
        ["creative"],
        [R],
        "",
        None,
        True,
        False,
        "How creative practice is used in co-production, and what it adds.",
    ),
    (
        "Helping measure person-centred care",
        "report",
        ["evaluation"],
        [PR, ORG],
        "",
        None,
        True,
        False,
        "A review of common tools for measuring whether care is person-centred.",
    ),
    (
        "Impact in Qualitative Research: A reflection on using co-production approaches in mental health research",
        "paper",
        ["mental-health", "evaluation"],
        [R],
        "",
        None,
        True,
        False,
        "A researcher reflects on how co-production shaped the impact of a qualitative mental health study.",
    ),
    (
        "Care Homes - The Art of the Irresistible",
        "video",
        ["community", "creative"],
        [PR, P],
        "",
        None,
        True,
        False,
        "Short films of stories and examples of co-production in care homes, recorded at an event.",
    ),
    (
        "The experience based design approach – Guide and Tools",
        "toolkit",
        ["evaluation", "creative"],
        [PR, ORG],
        "",
        None,
        True,
        False,
        "Tools for using patients' and staff's experience to redesign healthcare services.",
    ),
    (
        "Granby Four Streets Community Land Trust",
        "case-study",
        ["climate", "community"],
        [P, ORG],
        "Granby Four Streets CLT",
        None,
        True,
        False,
        "Residents who took over and renewed their own streets through a community land trust.",
    ),
    (
        "Books on co-production",
        "book",
        ["power"],
        [R, P, PR],
        "",
        None,
        True,
        False,
        "A reading list of books about co-production.",
    ),
    (
        "How might we think about power?",
        "paper",
        ["power"],
        [PR, ORG],
        "",
        None,
        True,
        False,
        "Questions about power for anyone building people-powered health and public services.",
    ),
    (
        "Improving Healthcare Through Clinical Research: Online Course",
        "course",
        ["ethics", "evaluation"],
        [P],
        "",
        None,
        True,
        False,
        "A free six-week online course on how clinical trials work and how the public can be part of them.",
    ),
    (
        "Participatory Budgeting",
        "case-study",
        ["community", "payment"],
        [ORG, P],
        "",
        None,
        True,
        False,
        "How communities can decide together how part of a public budget is spent, with examples.",
    ),
    (
        "Why bother involving people in evaluation?",
        "toolkit",
        ["evaluation"],
        [PR, ORG],
        "",
        None,
        True,
        False,
        "A workbook to plan why, when and how to involve the people you work with in evaluating your work.",
    ),
    (
        "How to Create a Visual Abstract",
        "guide",
        ["accessibility", "creative"],
        [R],
        "",
        None,
        True,
        False,
        "How to turn a study's findings into a one-page picture that more people can read.",
    ),
    (
        "Co-producing Randomized Controlled Trials: How Do We Work Together?",
        "paper",
        ["power", "evaluation"],
        [R],
        "",
        None,
        True,
        False,
        "What co-production looks like in trials and other quantitative research.",
    ),
    (
        "Financial Rewards Do Not Stimulate Coproduction: Evidence from Two Experiments",
        "paper",
        ["payment"],
        [R, ORG],
        "",
        None,
        False,
        False,
        "Experiments suggesting that paying people did not, on its own, make them more willing to take part.",
    ),
    (
        "Ethical challenges of co-production: Imagine project",
        "paper",
        ["ethics", "community"],
        [R],
        "Imagine project",
        None,
        True,
        False,
        "Ethical questions raised by a large collaborative study of communities and their histories.",
    ),
    (
        "Child-Led Research: Questioning Knowledge",
        "paper",
        ["children", "power"],
        [R, PR],
        "",
        None,
        True,
        False,
        "What happens when children lead the research, drawn from projects in three countries.",
    ),
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
    from .models import Audience, ResourceType, Topic

    terms = {}
    for model, entries in ((ResourceType, TYPES), (Topic, TOPICS), (Audience, AUDIENCES)):
        for slug, name in entries:
            term = model.objects.filter(slug=slug).first() or model.objects.create(slug=slug, name=name)
            terms[(model, slug)] = term
    return terms


def build_library(home):
    from home.demo import add_menu_link

    from .factories import LibraryPageFactory
    from .models import LibraryPage

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
    from .factories import ResourcePageFactory
    from .models import Audience, ResourcePage, ResourceType, Topic

    types = {t.slug: t for t in ResourceType.objects.all()}
    topics = {t.slug: t for t in Topic.objects.all()}
    audiences = {a.slug: a for a in Audience.objects.all()}
    existing = set(ResourcePage.objects.child_of(library).values_list("slug", flat=True))
    created = 0
    for title, type_slug, topic_slugs, audience_slugs, author, year, free, featured, summary in RESOURCES:
        slug = slugify(title)[:80].strip("-")
        if slug in existing:
            continue
        ResourcePageFactory(
            parent=library,
            title=title,
            slug=slug,
            summary=summary,
            resource_type=types[type_slug],
            topics=[topics[s] for s in topic_slugs],
            audiences=[audiences[s] for s in audience_slugs],
            author=author,
            year=year,
            external_url="",
            is_free=free,
            is_featured=featured,
        )
        created += 1
    return created


def build_synthetic(library, count):
    """Tops the library up to `count` synthetic resources (bulk-created; idempotent)."""
    from .factories import bulk_create_resources, synthetic_specs
    from .models import Audience, ResourcePage, ResourceType, Topic

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
    from django.contrib.contenttypes.models import ContentType
    from wagtail.search.backends import get_search_backends
    from wagtail.search.models import IndexEntry

    from .models import ResourcePage

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
    return len(ids)


def refresh_statistics():
    """Refreshes the query planner's statistics for the tables a bulk load has just filled.

    PostgreSQL: without them (autovacuum may be off, or not have run yet) the planner expects one
    resource where there are 10,000 and picks nested loops, 3 to 4 times slower. SQLite: only the
    search index, where statistics stop the planner from running the full-text MATCH once per index
    entry (about 600 ms a search at 10,000 resources, 1 ms with them); statistics on the library's
    own tables would make SQLite's listing plans worse, so they are left out.
    """
    from django.db import connection

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
    from home.models import HomePage

    home = HomePage.objects.first()
    build_taxonomy()
    library = build_library(home)
    created = build_resources(library)
    synthetic = build_synthetic(library, options.get("resources") or 0)
    command.stdout.write(
        f"Library: {len(TYPES)} types, {len(TOPICS)} topics, {len(AUDIENCES)} audiences; "
        f"{created} new resource(s), {synthetic} synthetic."
    )
