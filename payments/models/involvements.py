"""An involvement: a person's role in a piece of work (a panel, a study, a review), with its dates.

Claims can be made against an involvement, so the hours and money given to each role (and to the
opportunity it came from) can be reported per tax year. An involvement is recorded through
`payments.services.start_involvement` (for example when someone accepts an offer of a role); the
opportunity it came from is any page (a string foreign key to Wagtail's page), so payments knows
nothing of the app that publishes opportunities.
"""

from django.conf import settings
from django.db import models

from .choices import ActivityType


class Involvement(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="involvements"
    )
    title = models.CharField("role", max_length=200)
    activity_type = models.CharField(
        "usual activity",
        max_length=32,
        choices=ActivityType.choices,
        default=ActivityType.MEETING,
        help_text="What the person mostly does in this role; claims suggest it.",
    )
    opportunity = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The opportunity the person applied for, if any.",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["person", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="payments_involvement_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title

    def covers(self, day):
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)
