from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    # Each event's confirmed seats from its registrations, as Registration.objects.confirmed_seats_of
    # counts them (a confirmed place is 1 seat, 2 with a carer or PA: the stored `seats`). Idempotent:
    # run again, it writes the same numbers.
    EventPage = apps.get_model("events", "EventPage")
    Registration = apps.get_model("events", "Registration")
    seats = (
        Registration.objects.filter(event=OuterRef("pk"), status="confirmed")
        .order_by()
        .values("event")
        .annotate(total=Sum("seats"))
        .values("total")
    )
    EventPage.objects.update(
        confirmed_seats=Coalesce(Subquery(seats, output_field=models.IntegerField()), 0)
    )


class Migration(migrations.Migration):
    dependencies = [("events", "0007_eventpage_confirmed_seats")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
