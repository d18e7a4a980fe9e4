from django.db import migrations

from accounts.groups import grant, revoke

MODELS = ["paymentpolicy", "policyversion", "ratecard", "expensecap", "contributorprofile", "involvementclaim"]
PERMS = [f"payments.{action}_{model}" for model in MODELS for action in ("add", "change", "view")] + [
    "payments.delete_ratecard",
    "payments.delete_expensecap",
    "payments.view_claimexpense",
    "payments.view_claimevent",
]


def forwards(apps, schema_editor):
    # Coordinators run the payment policy and the claim queue. Claims are never deleted (the audit
    # trail must stay), and approvals go through the services, which refuse self-approval.
    try:
        apps.get_model("payments", "ClaimEvent")
        perms = PERMS
    except LookupError:  # replayed with today's models, where the trail is Wagtail's log (0011)
        perms = [perm for perm in PERMS if perm != "payments.view_claimevent"]
    grant(apps, "Coordinators", perms)


def backwards(apps, schema_editor):
    revoke(apps, "Coordinators", PERMS)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
        ("accounts", "0002_groups"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
