from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from provisioning.errors import WorkflowError
from provisioning.models import NationalSystem
from provisioning.monitoring.selectors import account_for_code, account_monitoring


class Command(BaseCommand):
    help = (
        "Print an account's monitoring status and its last data time on one line: "
        "`<status> <ISO 8601 time or ->`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--facility-code", required=True)
        parser.add_argument(
            "--system", choices=NationalSystem.values, help="when the code is on both systems"
        )

    def handle(self, *args, **options):
        try:
            account = account_for_code(options["facility_code"], options["system"])
            status, last_data_at = account_monitoring(account)
        except WorkflowError as exc:
            raise CommandError(exc.message) from exc
        last = timezone.localtime(last_data_at).isoformat() if last_data_at else "-"
        self.stdout.write(f"{status} {last}")
