from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from provisioning.models import NationalSystem
from provisioning.monitoring.activity import (
    ActivityFileError,
    activity_import,
    build_dataset,
    default_mapping,
    read_rows,
)


class Command(BaseCommand):
    help = (
        "Import a national system's activity export (CSV or XLSX, one row per facility and "
        "day) as evidence of data, and print the summary; --dry-run saves nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--system", choices=NationalSystem.values, default=NationalSystem.LEGACY.value
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            headers, rows = read_rows(path.read_bytes(), path.name)
            dataset = build_dataset(headers, rows, default_mapping(headers))
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except ActivityFileError as exc:
            raise CommandError(str(exc)) from exc
        summary = activity_import(dataset, system=options["system"], dry_run=options["dry_run"])
        for line in summary.lines():
            self.stdout.write(line)
        if summary.has_errors:
            raise CommandError(f"{len(summary.errors)} row error(s): nothing was saved.")
