from django.db import migrations

from accounts.groups import grant, revoke

CANCEL = ["events.cancel_event"]
GROUPS = ["Editors", "Moderators"]


def forwards(apps, schema_editor):
    # Editors run events but cannot publish in Wagtail's default groups, so the right to publish
    # could not be what lets them cancel one. Moderators could cancel before (they publish) and
    # still can. Coordinators look after attendees, not event pages, as before.
    for group in GROUPS:
        grant(apps, group, CANCEL)


def backwards(apps, schema_editor):
    for group in GROUPS:
        revoke(apps, group, CANCEL)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_coordinator_permissions"),
        ("accounts", "0002_groups"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="eventpage",
            options={
                "permissions": [("cancel_event", "Can cancel an event and tell everyone registered")],
                "verbose_name": "event page",
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
