"""A payout's history moves into Wagtail's log (one audit trail for the site, shown on the payout's History
page): every PayoutEvent becomes a log entry with the same time, person, statuses and note, then the
table goes."""

from django.db import migrations

ACTION = "payouts.payout.changed"


def move_to_log(apps, schema_editor):
    try:
        PayoutEvent = apps.get_model("payouts", "PayoutEvent")
    except LookupError:
        return  # replayed with today's models (a test fixture): nothing left to move
    ContentType = apps.get_model("contenttypes", "ContentType")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    content_type, _ = ContentType.objects.get_or_create(app_label="payouts", model="payout")
    batch = []
    for event in PayoutEvent.objects.order_by("pk").iterator(chunk_size=2000):
        batch.append(
            ModelLogEntry(
                content_type=content_type,
                object_id=str(event.payout_id),
                label=f"Payout {event.payout_id}",
                action=ACTION,
                data={"from": event.from_status, "to": event.to_status, "note": event.note[:1000]},
                timestamp=event.at,
                user_id=event.actor_id,
            )
        )
        if len(batch) >= 2000:
            ModelLogEntry.objects.bulk_create(batch)
            batch = []
    ModelLogEntry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("payouts", "0002_coordinator_permissions"),
        ("wagtailcore", "0069_log_entry_jsonfield"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(move_to_log, migrations.RunPython.noop),
        migrations.DeleteModel(name="PayoutEvent"),
    ]
