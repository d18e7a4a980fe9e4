from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_site


class Command(BaseCommand):
    help = (
        "Backs up the site into one .tar.gz: the database (pg_dump on PostgreSQL, the sqlite3 backup API on "
        "SQLite), MEDIA_ROOT and PRIVATE_MEDIA_ROOT, with a manifest of SHA-256 checksums. DEST is a new "
        "file, or a folder (the file is named by the date). Safe while the site runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("dest", help="the backup file to write (.tar.gz), or an existing folder")
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args, dest, database, **options):
        try:
            path, manifest = backup_site(dest, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        media = sum(1 for member in manifest["files"] if member.startswith("media/"))
        private = sum(1 for member in manifest["files"] if member.startswith("private_media/"))
        self.stdout.write(
            f"Backed up the {manifest['database']['vendor']} database, {media} media file(s) and {private} "
            f"private file(s) to {path}."
        )
