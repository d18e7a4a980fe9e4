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
