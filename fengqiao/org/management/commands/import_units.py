"""``manage.py import_units FILE``: create or update the unit tree from a CSV or XLSX file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fengqiao.org.importing import UnitImportError, import_units


class Command(BaseCommand):
    help = (
        "Create or update units from a CSV (UTF-8) or XLSX file with the columns code/编码, name/名称, "
        "level/层级 and parent/上级编码. All or nothing: a file with any bad row imports nothing. "
        "See docs/import-units.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV or XLSX file.")

    def handle(self, *args, file: str, **options):
        try:
            summary = import_units(path=Path(file))
        except UnitImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            count = len(exc.errors)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} in {file}; nothing was imported.", returncode=1
            ) from exc
        if options["verbosity"] >= 2:
            for label, codes in (("created", summary.created), ("updated", summary.updated)):
                for code in codes:
                    self.stdout.write(f"{label} {code}")
        self.stdout.write(str(summary))
