from django.db import migrations

from accounts.groups import grant, revoke

PERMS = [
    "payouts.view_payout",
    "payouts.change_payout",
    "payouts.view_paymentrun",
    "payouts.add_paymentrun",
]


def forwards(apps, schema_editor):
    # Coordinators pay claims. The grants made while payouts lived in payments moved with the content
    # types (0001); this makes sure of them on any database.
    grant(apps, "Coordinators", PERMS)


def backwards(apps, schema_editor):
    revoke(apps, "Coordinators", PERMS)


class Migration(migrations.Migration):
    dependencies = [("payouts", "0001_initial"), ("accounts", "0002_groups")]

    operations = [migrations.RunPython(forwards, backwards)]
