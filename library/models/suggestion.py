"""What the community suggests for the library, and the review step editors take on it.

A suggestion is stored with the draft resource page made from it (`library.suggestions.services`), and
that page goes through the "Community suggestions" workflow (made by migration 0006), whose one task is a
`SuggestionReviewTask`: editors approve it (the page is published), ask for changes (the draft goes back
to the editors, as in any Wagtail workflow) or decline it with a reason, which the suggester is told.
"""

import os
import uuid

from django.conf import settings
from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _
from wagtail.models import AbstractGroupApprovalTask

from portal.storage import private_storage

# Sent when an editor declines a suggestion's page in the workflow: sender is the task class,
# with `page` (the draft ResourcePage), `user` and `reason`. `library.apps` connects the service.
suggestion_declined = Signal()


def pending_file_path(instance, filename):
    """A generated name: never the uploader's own (which may say who they are or be made to mislead);
    only the checked extension is kept."""
    extension = os.path.splitext(filename)[1].lower()
    extension = extension if extension[1:].isalnum() and len(extension) <= 6 else ""
    return f"suggestions/{uuid.uuid4().hex}{extension}"


class ResourceSuggestion(models.Model):
    """One visitor's suggestion. Its `status` changes only in `library.suggestions.services`."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        PUBLISHED = "published", "Published"
        DECLINED = "declined", "Declined"

    page = models.OneToOneField(
        "library.ResourcePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestion",
        help_text="The draft resource made from the suggestion.",
    )
    title = models.CharField(max_length=255)
    url = models.URLField("link", max_length=500, blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The public document made from the suggested file when the resource was published.",
    )
    # The suggested file waits here, in private storage under a generated name, until the resource is
    # published (it becomes a Wagtail document) or the suggestion is declined (it is deleted). Reviewers
    # download it through the suggestions admin, which checks who asks.
    pending_file = models.FileField(
        "file waiting for review",
        upload_to=pending_file_path,
        storage=private_storage,
        max_length=255,
        blank=True,
    )
    # Compared with what is already in the library and with other pending suggestions (see
    # `library.suggestions.normalise`).
    normalised_url = models.CharField(max_length=500, blank=True, db_index=True)
    normalised_title = models.CharField(max_length=255, db_index=True)
    why_useful = models.TextField("why it is useful")
    name = models.CharField("suggested by", max_length=200)
    email = models.EmailField()
    credit = models.BooleanField("may be credited", default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    decline_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "resource suggestion"

    def __str__(self):
        return self.title


class SuggestionReviewTask(AbstractGroupApprovalTask):
    """Group approval with a third answer: decline the suggestion, with a reason the suggester reads."""

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        if actions:
            actions = [
                ("approve", _("Approve and publish"), False),
                ("reject", _("Ask for changes"), True),
                ("decline", _("Decline, with a reason for the suggester"), True),
            ]
        return actions

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name != "decline":
            return super().on_action(task_state, user, action_name, **kwargs)
        reason = (kwargs.get("comment") or "").strip()
        # The task is rejected without moving the workflow to "needs changes", then the workflow
        # ends: a declined suggestion is not edited further. Both steps are in Wagtail's log.
        task_state.reject(user=user, update=False, comment=reason)
        task_state.workflow_state.cancel(user=user)
        suggestion_declined.send(
            sender=type(self), page=task_state.workflow_state.content_object, user=user, reason=reason
        )
        return None

    @classmethod
    def get_description(cls):
        return _("Members of the chosen groups approve, ask for changes to, or decline a suggested resource")

    class Meta:
        verbose_name = "community suggestion review"
        verbose_name_plural = "community suggestion reviews"
