from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..choices import ContactMethod, NoticeKind


class ContactTaskQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(done_at__isnull=True)


class ContactTask(models.Model):
    """Something a coordinator must tell a person who has no e-mail address: a call (or text) on the
    call list, or a letter to print and post. It replaces the e-mail everyone else gets.

    Services create it in the transaction of the change it reports, so a change that rolls back leaves
    no task, as it leaves no e-mail. One open task per person and subject: a second change of the same
    kind before the call is made joins the first (the call list always says what is true now).
    """

    Kind = NoticeKind
    Method = ContactMethod

    registration = models.ForeignKey(
        "events.Registration", on_delete=models.CASCADE, related_name="contact_tasks"
    )
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    method = models.CharField(max_length=10, choices=ContactMethod.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(
        max_length=200, blank=True, help_text="A short note, e.g. 'Told them; they will come by bus'."
    )

    objects = ContactTaskQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "kind"],
                condition=Q(done_at__isnull=True),
                name="events_one_open_contact_task_per_kind",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.registration.name} ({self.get_method_display()})"

    @property
    def is_done(self):
        return self.done_at is not None
