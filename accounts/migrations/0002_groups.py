from django.db import migrations

from accounts.groups import grant

COORDINATORS = "Coordinators"
CONTRIBUTORS = "Contributors"


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    # Coordinators run events and payments in the Wagtail admin; their apps' migrations add model permissions.
    grant(apps, COORDINATORS, ["wagtailadmin.access_admin"])
    # Contributors use the front end only: no admin access.
    Group.objects.get_or_create(name=CONTRIBUTORS)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[COORDINATORS, CONTRIBUTORS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
