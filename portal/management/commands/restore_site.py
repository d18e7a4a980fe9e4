from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, restore_site


class Command(BaseCommand):
    help = (
        "Restores a backup_site tarball: checks every checksum first, then restores the database and both "
        "media folders. Refuses a database with tables in it, or media folders with files in them, unless "
        "--replace is given (which deletes what they hold first). Run `migrate` afterwards if the backup "
        "comes from an older release."
    )

    def add_arguments(self, parser):
        parser.add_argument("src", help="the backup file (.tar.gz) written by backup_site")
        parser.add_argument("--database", default="default", help="database alias (default: default)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete everything in the database and media folders before restoring",
        )

    def handle(self, *args, src, database, replace, **options):
        try:
            manifest = restore_site(src, using=database, replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the backup made {manifest['created']} by portal {manifest['portal_version']}: the "
            f"database and {len(manifest['files']) - 1} file(s). If this release is newer, run `manage.py migrate`."
        )
