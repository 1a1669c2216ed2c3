import csv
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from provisioning.national.endpoints import SYSTEMS
from provisioning.national.traffic import Credentials, run_traffic


class Command(BaseCommand):
    # It touches neither the database nor the URLs, so it need not wait for them to check.
    requires_system_checks = []
    help = (
        "Play a province's pharmacies pushing receipts and sales to the national simulator "
        "(most daily, some irregular, some going silent). Deterministic with --seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dialect", choices=SYSTEMS, required=True)
        parser.add_argument("--base-url", help="defaults to settings.NATIONAL_SYSTEMS")
        parser.add_argument("--facilities", type=int, default=10)
        parser.add_argument(
            "--accounts",
            help="a CSV file of facility_code,username,password to use instead of made-up "
            "accounts (no header)",
        )
        parser.add_argument(
            "--no-create", action="store_true", help="do not create the accounts first"
        )
        parser.add_argument("--days", type=int, default=14)
        parser.add_argument("--start", type=date.fromisoformat, help="first day, YYYY-MM-DD")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--vendor-share", type=float, default=0.0)
        parser.add_argument("--sales-per-day", type=int, default=3)
        parser.add_argument("--max-pushes", type=int, default=5000)
        parser.add_argument("--max-seconds", type=float, default=300.0)

    def handle(self, *args, **options):
        facilities = options["facilities"]
        if options["accounts"]:
            with open(options["accounts"], newline="", encoding="utf-8") as handle:
                facilities = [Credentials(*row[:3]) for row in csv.reader(handle) if row]
            if not facilities:
                raise CommandError("the accounts file lists no account")
        report = run_traffic(
            dialect=options["dialect"],
            base_url=options["base_url"],
            facilities=facilities,
            days=options["days"],
            seed=options["seed"],
            start=options["start"],
            create=not options["no_create"],
            vendor_share=options["vendor_share"],
            sales_per_day=options["sales_per_day"],
            max_pushes=options["max_pushes"],
            max_seconds=options["max_seconds"],
        )
        self.stdout.write(report.summary())
