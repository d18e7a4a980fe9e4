from django.core.management.base import BaseCommand, CommandError

from library.importer import COLUMNS, ImportFileError, find_library, import_resources


class Command(BaseCommand):
    help = (
        "Imports resources into the library from a CSV file (columns: "
        + ", ".join(COLUMNS)
        + "; only title is required), a JSON list of objects with the same keys, or a plain-text listing "
        "(title, the title again, a summary). Matches existing resources by slug, normalised title or "
        "link, so importing again updates and never duplicates. Nothing is written if the file cannot be "
        "read or any record is rejected (unless --skip-invalid)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--format", choices=["csv", "json", "text"], help="Default: from the file's extension."
        )
        parser.add_argument("--library", help="Slug or id of the library page (needed if there are several).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Import the valid records even if some are rejected."
        )
        parser.add_argument(
            "--no-suggest-types",
            action="store_true",
            help="Do not give new, untyped resources a type suggested by keywords in their title and summary.",
        )

    def handle(self, *args, **options):
        try:
            library = find_library(options["library"])
            result = import_resources(
                options["file"],
                library=library,
                fmt=options["format"],
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                suggest_types=not options["no_suggest_types"],
                progress=self.stderr if options["verbosity"] >= 1 else None,
            )
        except ImportFileError as exc:
            raise CommandError(f"Nothing was imported. {exc}") from exc

        verbose = options["verbosity"] >= 2
        for line, title in result.created if verbose else []:
            self.stdout.write(f"  {result.unit} {line}: created “{title}”")
        for line, title, fields in result.updated:
            self.stdout.write(f"  {result.unit} {line}: updated “{title}” ({', '.join(fields)})")
        for line, message in result.notes if verbose or len(result.notes) <= 20 else result.notes[:20]:
            self.stdout.write(f"  {result.unit} {line}: {message}")
        if len(result.notes) > 20 and not verbose:
            self.stdout.write(f"  ... and {len(result.notes) - 20} more notes (use -v 2 to see them all)")
        for line, reason in result.rejected:
            self.stderr.write(self.style.ERROR(f"  {result.unit} {line}: rejected: {reason}"))

        summary = result.summary()
        if result.dry_run:
            self.stdout.write(self.style.WARNING(f"Dry run, nothing written: {summary}."))
        elif result.written:
            self.stdout.write(self.style.SUCCESS(f"Imported into “{library.title}”: {summary}."))
        if result.rejected and not options["skip_invalid"] and not result.dry_run:
            raise CommandError(
                f"Nothing was imported: {len(result.rejected)} record(s) rejected ({summary}). "
                "Fix them, or run again with --skip-invalid to import the rest."
            )
