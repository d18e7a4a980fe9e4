"""Group set-up shared by data migrations across apps.

Each app's data migration grants its own model permissions to the groups that need them, so no
app has to know about another's models. Permissions are created here if post_migrate has not
run yet (a fresh database migrates everything before any post_migrate signal).
"""

from django.contrib.auth.management import create_permissions


def ensure_permissions(apps, app_labels):
    for label in app_labels:
        try:
            app_config = apps.get_app_config(label)
        except LookupError:  # an app without models (wagtailadmin) creates its permissions itself
            continue
        # create_permissions skips an app without a models module, which a migration's app state
        # never has. Put back what was there: the test fixture that replays these migrations passes
        # the real app registry, and an app left without its models module gets no content types or
        # permissions at the next flush (events' content types were then made lazily, inside
        # transactions that could roll back, and cached with ids that no longer existed).
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        try:
            create_permissions(app_config, verbosity=0, apps=apps)
        finally:
            app_config.models_module = previous


def grant(apps, group_name, perms):
    """Gives `group_name` the permissions named "app_label.codename" (creating the group if needed)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ensure_permissions(apps, sorted({perm.split(".", 1)[0] for perm in perms}))
    group, _ = Group.objects.get_or_create(name=group_name)
    for perm in perms:
        app_label, codename = perm.split(".", 1)
        permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
        group.permissions.add(permission)
    return group


def revoke(apps, group_name, perms):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=group_name).first()
    if group is None:
        return
    for perm in perms:
        app_label, codename = perm.split(".", 1)
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )
