from django.db import migrations

from accounts.groups import grant, revoke

COORDINATOR_PERMS = ["events.view_registration", "events.change_registration"]


def forwards(apps, schema_editor):
    # Coordinators see attendees and their access needs, promote from the waiting list and record
    # attendance. Editors publish events but never see who is coming or what they need.
    grant(apps, "Coordinators", COORDINATOR_PERMS)


def backwards(apps, schema_editor):
    revoke(apps, "Coordinators", COORDINATOR_PERMS)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("accounts", "0002_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
