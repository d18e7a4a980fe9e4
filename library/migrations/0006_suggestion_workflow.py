from django.db import migrations

from accounts.groups import grant, revoke

WORKFLOW_NAME = "Community suggestions"
TASK_NAME = "Review a community suggestion"
REPORT_GROUPS = ("Editors", "Moderators")
# Approving publishes the page, which Wagtail lets Moderators do (Editors draft, Moderators publish).
REVIEW_GROUPS = ("Moderators",)
PERMS = ["library.view_resourcesuggestion", "library.delete_resourcesuggestion"]


def forwards(apps, schema_editor):
    """The workflow suggested resources are submitted to, reviewed by Moderators; Editors and Moderators
    see the suggestions report.

    It is started on each suggestion's draft by `library.suggestions.services`, never assigned to a part
    of the page tree, so editors' own resources publish as they always have. Idempotent (the test
    fixture that restores migration data runs it again).
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    SuggestionReviewTask = apps.get_model("library", "SuggestionReviewTask")

    for group in REPORT_GROUPS:
        grant(apps, group, PERMS)
    content_type, _ = ContentType.objects.get_or_create(app_label="library", model="suggestionreviewtask")
    task = SuggestionReviewTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = SuggestionReviewTask.objects.create(name=TASK_NAME, content_type=content_type, active=True)
    task.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in REVIEW_GROUPS))
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task_id=task.pk, defaults={"sort_order": 0})


def backwards(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    SuggestionReviewTask = apps.get_model("library", "SuggestionReviewTask")
    Workflow.objects.filter(name=WORKFLOW_NAME).delete()
    SuggestionReviewTask.objects.filter(name=TASK_NAME).delete()
    for group in REPORT_GROUPS:
        revoke(apps, group, PERMS)


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0005_suggestions"),
        ("accounts", "0002_groups"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
