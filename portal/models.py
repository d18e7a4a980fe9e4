"""What the portal itself keeps in the database: the page cache's purges (portal/cache.py)."""

from django.db import models


class CachePurge(models.Model):
    """An address whose cached copies went out of date (``"*"``: the whole site), from the commit that
    changed what it shows. A cached page is served only while no purge of its address is newer than the
    render, so purges live in the database, with the content, and cannot be lost with the cache."""

    address = models.CharField(max_length=64, help_text="SHA-256 of the path, or of '*'.")
    level = models.PositiveSmallIntegerField(
        help_text="1: stale copies may be served while one renders; 2: never."
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["address", "id"], name="portal_purge_address_id")]

    def __str__(self):
        return f"purge {self.address[:12]} ({self.created:%Y-%m-%d %H:%M:%S})"


class ScheduledRun(models.Model):
    """One due slot of one scheduled job (portal/scheduler.py), claimed by the scheduler that runs it.

    The unique (job, slot) pair is what makes a slot run once however many schedulers are running:
    the second insert fails and that scheduler moves on."""

    job = models.CharField(max_length=100, help_text="The job's name in the SCHEDULE setting.")
    slot = models.DateTimeField(help_text="When the job fell due.")
    claimed_by = models.CharField(max_length=200, help_text="host:process of the scheduler that ran it.")
    started = models.DateTimeField()
    finished = models.DateTimeField(null=True, blank=True, help_text="Empty while running, or if it died.")
    succeeded = models.BooleanField(null=True)
    output = models.TextField(blank=True, help_text="The end of what the command printed, or its error.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="portal_scheduledrun_once")]
        indexes = [models.Index(fields=["started"], name="portal_scheduledrun_started")]

    def __str__(self):
        return f"{self.job} due {self.slot:%Y-%m-%d %H:%M} UTC"
