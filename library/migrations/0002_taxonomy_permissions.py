from django.db import migrations

from accounts.groups import grant, revoke

PERMS = [
    f"library.{action}_{model}"
    for model in ("resourcetype", "topic", "audience")
    for action in ("add", "change", "delete", "view")
]


def forwards(apps, schema_editor):
    # Editors and Moderators manage the library's tags (types, topics, audiences).
    for group in ("Editors", "Moderators"):
        grant(apps, group, PERMS)


def backwards(apps, schema_editor):
    for group in ("Editors", "Moderators"):
        revoke(apps, group, PERMS)


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
