from django.db import migrations

from accounts.groups import grant, revoke

SUMMARY = ["events.view_feedback_summary", "events.view_eventfeedback"]
GROUPS = ("Coordinators", "Editors", "Moderators")


def forwards(apps, schema_editor):
    # Organisers (coordinators) and the editorial team read the feedback summary of each event and
    # export it. Answers carry no link to the person, so nobody sees who wrote what unless they chose
    # to show their name.
    for group in GROUPS:
        grant(apps, group, SUMMARY)


def backwards(apps, schema_editor):
    for group in GROUPS:
        revoke(apps, group, SUMMARY)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_materials_and_feedback"),
        ("accounts", "0002_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
