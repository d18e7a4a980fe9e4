"""Applications (expressions of interest) and the equality monitoring answers, kept apart.

What must stay true:
- An application's status changes only in `opportunities.services`, each change with an audit entry.
- One application per e-mail address and opportunity (a second attempt gets a fresh link instead).
- Access needs and support needed are seen by coordinators only and deleted on a schedule
  (`access_info_retain_until`, set once the application is decided or withdrawn).
- Equality monitoring answers are stored without any link to the application or the person (only the
  opportunity and the day), are reported only as counts, and are deleted on a schedule too.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..choices import AgeBand, ApplicationStatus, ContactPreference, Ethnicity, Gender, YesNo

# How long after withdrawing an applicant may undo it from their page; coordinators decide nothing on a
# withdrawn application, so it goes back exactly where it was.
UNDO_WITHDRAWAL_WITHIN = timedelta(hours=24)


class ApplicationQuerySet(models.QuerySet):
    def counts_by_status(self):
        return dict(self.order_by().values_list("status").annotate(n=models.Count("pk")))


class Application(models.Model):
    Status = ApplicationStatus
    ContactPreference = ContactPreference

    opportunity = models.ForeignKey(
        "opportunities.OpportunityPage", on_delete=models.CASCADE, related_name="applications"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
        editable=False,
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    postal_address = models.TextField(blank=True)
    preferred_contact = models.CharField(
        max_length=10, choices=ContactPreference.choices, default=ContactPreference.EMAIL
    )
    # The editor's questions as they were asked, with the answers: [{"question": ..., "answer": ...}].
    answers = models.JSONField(default=list, blank=True)
    access_needs = models.TextField("access needs", blank=True)
    support_needed = models.TextField("support needed to take part", blank=True)
    consent_to_contact = models.BooleanField(default=False)

    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.RECEIVED, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Where a withdrawal came from, so the applicant can undo it (`services.undo_withdrawal`); blank
    # otherwise.
    withdrawn_from = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, blank=True, editable=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    involvement = models.ForeignKey(
        "payments.Involvement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
        editable=False,
    )
    access_info_retain_until = models.DateTimeField(null=True, blank=True, db_index=True)
    access_info_purged_at = models.DateTimeField(null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "email"], name="opportunities_one_application_per_email"
            )
        ]
        indexes = [models.Index(fields=["opportunity", "status", "created_at"])]

    def __str__(self):
        return f"{self.name}: {self.opportunity_id} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.status in ApplicationStatus.open()

    def undo_withdrawal_until(self):
        """Until when the applicant may undo their withdrawal, or None when there is none to undo."""
        if (
            self.status != ApplicationStatus.WITHDRAWN
            or not self.withdrawn_from
            or not self.status_changed_at
        ):
            return None
        return self.status_changed_at + UNDO_WITHDRAWAL_WITHIN

    def can_undo_withdrawal(self, now=None):
        until = self.undo_withdrawal_until()
        return until is not None and (now or timezone.now()) < until

    @property
    def answers_text(self):
        return "\n".join(
            f"{item.get('question', '')}: {item.get('answer', '')}" for item in self.answers or []
        )


class EqualityMonitoring(models.Model):
    """One applicant's optional monitoring answers, with nothing that links them to the application."""

    opportunity = models.ForeignKey(
        "opportunities.OpportunityPage", on_delete=models.CASCADE, related_name="monitoring_answers"
    )
    age_band = models.CharField(max_length=20, choices=AgeBand.choices, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)
    disability = models.CharField(max_length=20, choices=YesNo.choices, blank=True)
    ethnicity = models.CharField(max_length=20, choices=Ethnicity.choices, blank=True)
    carer = models.CharField(max_length=20, choices=YesNo.choices, blank=True)
    submitted_on = models.DateField(default=timezone.localdate)
    retain_until = models.DateField(db_index=True)

    class Meta:
        verbose_name = "equality monitoring answers"
        verbose_name_plural = "equality monitoring answers"
        # Coordinators see counts only (MonitoringView), never the rows.
        default_permissions = ()
        permissions = [("view_monitoring_summary", "Can see equality monitoring counts")]

    def __str__(self):
        return f"Monitoring answers for {self.opportunity_id}"
