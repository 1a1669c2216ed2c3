from django.core.management.base import BaseCommand

from provisioning.national.endpoints import SYSTEMS
from provisioning.national.simulator import ensure_account


class Command(BaseCommand):
    # It touches neither the database nor the URLs, so it need not wait for them to check.
    requires_system_checks = []
    help = (
        "Create or update an account on the national-system simulator. Facility codes are "
        "added to the ones it has; one account may serve several (the vendor model)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dialect", choices=SYSTEMS, required=True)
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--facility-code", action="append", default=[], dest="facility_codes")
        parser.add_argument("--locked", action="store_true", help="lock it (else unlock)")
        parser.add_argument("--db", help="the simulator's SQLite file")

    def handle(self, *args, **options):
        account = ensure_account(
            dialect=options["dialect"],
            username=options["username"],
            password=options["password"],
            facility_codes=options["facility_codes"],
            locked=options["locked"],
            db_path=options["db"],
        )
        state = "locked" if account["locked"] else "active"
        codes = ", ".join(account["facility_codes"]) or "no facility"
        self.stdout.write(f"{account['dialect']} account {account['username']} ({state}): {codes}")
