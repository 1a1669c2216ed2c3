from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from provisioning.monitoring.services import monitoring_sweep


def _moment(value):
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--at must be an ISO 8601 time, not {value!r}") from exc
    return moment if moment.tzinfo else timezone.make_aware(moment)


class Command(BaseCommand):
    help = (
        "Bring every account's monitoring status up to date (as the periodic task does), as "
        "of now or of --at, so that tests and operators can look ahead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--at", type=_moment, help="ISO 8601 time (default now)")

    def handle(self, *args, **options):
        counts = monitoring_sweep(at=options["at"])
        summary = " ".join(f"{reason}={count}" for reason, count in sorted(counts.items()))
        self.stdout.write(summary)
