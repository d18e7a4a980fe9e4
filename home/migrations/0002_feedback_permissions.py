from django.db import migrations

from accounts.groups import grant, revoke

PERMS = ["home.view_feedbacksubmission", "home.delete_feedbacksubmission"]


def forwards(apps, schema_editor):
    # Editors and Moderators read, export and delete feedback; nobody rewrites what people sent.
    for group in ("Editors", "Moderators"):
        grant(apps, group, PERMS)


def backwards(apps, schema_editor):
    for group in ("Editors", "Moderators"):
        revoke(apps, group, PERMS)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
