"""Fixtures shared by every app's tests.

`site_root` builds the page tree the way load_demo_data does (home page as the default site's root),
so page tests start from the same shape as the real site.
"""

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    skip_pg = pytest.mark.skip(
        reason="needs PostgreSQL: SQLite ignores select_for_update, so races cannot be shown"
    )
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)


PROJECT_APPS = ("accounts", "home", "library", "events", "payments", "payouts", "opportunities")


def _wagtails_root_collection():
    """Wagtail's own migration makes the root collection (documents and images need one)."""
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


@pytest.fixture
def restore_migration_data(transactional_db):
    """Puts back what the project's data migrations create (groups and their permissions).

    A transactional test ends by flushing every table, so the next one starts without the groups the
    migrations made; re-running our own (idempotent) RunPython steps restores them.
    """
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    from home.demo import ensure_root

    ensure_root()
    _wagtails_root_collection()
    _wagtails_initial_group_permissions()
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    plan = []
    for leaf in loader.graph.leaf_nodes():
        plan += [node for node in loader.graph.forwards_plan(leaf) if node not in plan]
    for app_label, name in plan:
        if app_label not in PROJECT_APPS:
            continue
        for operation in loader.get_migration(app_label, name).operations:
            if isinstance(operation, RunPython):
                operation.code(apps, None)


def _wagtails_initial_group_permissions():
    """What Wagtail's own initial data migration gives its groups: admin access, and on the root page
    Editors add and change, Moderators add, change and publish (the demo's moderator publishes)."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission, Page

    root = Page.get_first_root_node()
    admin_access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    for name, codenames in (
        ("Editors", ("add_page", "change_page")),
        ("Moderators", ("add_page", "change_page", "publish_page")),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(admin_access)
        for codename in codenames:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=root,
                permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
            )


@pytest.fixture(autouse=True)
def _migration_data_for_transactional_tests(request):
    """A transactional test starts after another one's flush, without the groups' permissions that the
    services check: give it what a migrated database holds."""
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (len(marker.args) > 0 and marker.args[0])):
        request.getfixturevalue("restore_migration_data")


@pytest.fixture(autouse=True)
def _media_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def on_commit_now(monkeypatch):
    """For tests inside a transaction that never commits: on-commit work (e-mails) runs at once, as it
    would once a real request's transaction commits."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import caches

    from portal import cache as page_cache

    # This process's site values and the last purge id it saw: a rolled-back SQLite database hands
    # out the same ids again, and the next test's settings are not this one's.
    page_cache._memo.update(seen=0, site={})
    for cache in caches.all(initialized_only=True):
        cache.clear()
    yield
    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.fixture
def no_page_cache(settings):
    """For tests that count what rendering a page costs: the page cache (portal/cache.py) would
    otherwise serve the second request from the cache."""
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture
def home_page(db):
    from home.demo import build_page_tree

    home, _index, _created = build_page_tree()
    return home


@pytest.fixture
def guidance_index(home_page):
    from home.models import GuidanceIndexPage

    return GuidanceIndexPage.objects.child_of(home_page).get()


@pytest.fixture
def user_factory(db):
    from accounts.factories import UserFactory

    return UserFactory


@pytest.fixture
def editor(user_factory):
    return user_factory(email="editor-test@example.org", groups=["Editors"])


@pytest.fixture
def coordinator(user_factory):
    return user_factory(email="coordinator-test@example.org", groups=["Coordinators"])


@pytest.fixture
def contributor(user_factory):
    return user_factory(email="contributor-test@example.org", groups=["Contributors"])


@pytest.fixture
def other_contributor(user_factory):
    return user_factory(email="other-contributor@example.org", groups=["Contributors"])


@pytest.fixture
def superuser(user_factory):
    return user_factory(email="super-test@example.org", is_superuser=True, is_staff=True)
