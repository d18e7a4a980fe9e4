from django.db import migrations

from accounts.groups import grant, revoke

PERMS = [
    "opportunities.view_application",
    "opportunities.change_application",
    "opportunities.view_monitoring_summary",
]


def forwards(apps, schema_editor):
    # Coordinators select applicants; Editors publish opportunity pages but never see applications.
    grant(apps, "Coordinators", PERMS)


def backwards(apps, schema_editor):
    revoke(apps, "Coordinators", PERMS)


class Migration(migrations.Migration):
    dependencies = [
        ("opportunities", "0001_initial"),
        ("accounts", "0002_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
