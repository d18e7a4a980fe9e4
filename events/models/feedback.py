"""Feedback after an event: the invitation each attendee is sent once, and the answers.

An answer (`EventFeedback`) is stored without any link to the person or their registration, so editors
and organisers cannot tell who wrote it, unless the person ticked "show my name", when their name is
stored with it. The invitation records only that it was sent and whether it was answered.
"""

import secrets

from django.db import models

from ..choices import AccessMet, Rating


def new_feedback_token():
    return secrets.token_urlsafe(24)


class FeedbackInvitation(models.Model):
    """The claim on sending one attendee the feedback e-mail: one per registration (unique), taken
    under the registration's row lock by `events.services.feedback.send_feedback_requests`."""

    registration = models.OneToOneField(
        "events.Registration", on_delete=models.CASCADE, related_name="feedback_invitation"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feedback_token, editable=False)
    sent_at = models.DateTimeField()
    # Whether, never when: a time would let anyone match the invitation to the answer's own time.
    answered = models.BooleanField(default=False)

    class Meta:
        verbose_name = "feedback invitation"

    def __str__(self):
        return f"Feedback invitation {self.pk}"


class EventFeedbackQuerySet(models.QuerySet):
    def summary(self):
        """Counts for one event's answers in one query, whatever their number."""
        counts = {
            f"rating_{value}": models.Count("pk", filter=models.Q(rating=value)) for value in Rating.values
        }
        counts.update(
            {
                f"access_{value}": models.Count("pk", filter=models.Q(access_met=value))
                for value in AccessMet.values
            }
        )
        return self.aggregate(total=models.Count("pk"), average=models.Avg("rating"), **counts)


class EventFeedback(models.Model):
    event = models.ForeignKey("events.EventPage", on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField("overall rating", choices=Rating.choices)
    what_worked = models.TextField("what worked well", blank=True)
    what_to_change = models.TextField("what we should change", blank=True)
    access_met = models.CharField("access needs met", max_length=20, choices=AccessMet.choices)
    access_comment = models.TextField("about access", blank=True)
    name = models.CharField(
        max_length=200, blank=True, help_text="Only when the person chose to show their name."
    )
    submitted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = EventFeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = "event feedback"
        verbose_name_plural = "event feedback"
        # Granted to Coordinators (migration 0005); checked with has_perm, never by group name.
        permissions = [("view_feedback_summary", "Can see and export feedback summaries of events")]

    def __str__(self):
        return f"Feedback on {self.event_id}"
