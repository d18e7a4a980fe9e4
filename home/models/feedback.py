"""What the community sends about guidance pages."""

from django.db import models


class FeedbackSubmission(models.Model):
    """A comment from the community on a guidance page."""

    class Role(models.TextChoices):
        PUBLIC = "public", "Member of the public / public contributor"
        RESEARCHER = "researcher", "Researcher"
        PRACTITIONER = "practitioner", "Practitioner"
        OTHER = "other", "Other"
        UNSAID = "", "Prefer not to say"

    page = models.ForeignKey("home.GuidancePage", on_delete=models.CASCADE, related_name="feedback")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    comment = models.TextField()
    may_contact = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = "feedback"
        verbose_name_plural = "feedback"

    def __str__(self):
        who = self.name or "Anonymous"
        return f"{who} on {self.page.title}"
