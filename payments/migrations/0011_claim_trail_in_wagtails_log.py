"""A claim's audit trail moves into Wagtail's log (one audit trail for the site, shown on the claim's History
page): every ClaimEvent becomes a log entry with the same time, person, statuses and note, then the table
goes."""

from django.db import migrations

ACTION = "payments.claim.changed"


def move_to_log(apps, schema_editor):
    try:
        ClaimEvent = apps.get_model("payments", "ClaimEvent")
    except LookupError:
        return  # replayed with today's models (a test fixture): nothing left to move
    ContentType = apps.get_model("contenttypes", "ContentType")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    content_type, _ = ContentType.objects.get_or_create(app_label="payments", model="involvementclaim")
    batch = []
    for event in ClaimEvent.objects.select_related("claim").order_by("pk").iterator(chunk_size=2000):
        batch.append(
            ModelLogEntry(
                content_type=content_type,
                object_id=str(event.claim_id),
                label=f"Claim {event.claim_id}",
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
        ("payments", "0010_payouts_move_to_their_app"),
        ("wagtailcore", "0069_log_entry_jsonfield"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(move_to_log, migrations.RunPython.noop),
        migrations.DeleteModel(name="ClaimEvent"),
    ]
