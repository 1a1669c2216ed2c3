import csv
import logging
import os
import signal
import threading
import time
from datetime import date, datetime

import httpx
from django.core.management.base import BaseCommand, CommandError

from provisioning.national.client import system_config
from provisioning.national.endpoints import SYSTEMS
from provisioning.national.traffic import (
    VN_TZ,
    Credentials,
    SyncReporter,
    read_report_keys,
    run_traffic,
    run_traffic_forever,
    simulator_credentials,
    simulator_root,
)


class Command(BaseCommand):
    # It touches neither the database nor the URLs, so it need not wait for them to check.
    requires_system_checks = []
    help = (
        "Play a province's pharmacies pushing receipts and sales to the national simulator "
        "(most daily, some irregular, some going silent). Deterministic with --seed. With "
        "--forever, plays one day of traffic every --interval seconds until stopped "
        "(SIGTERM or Ctrl+C)."
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
            "--simulator-accounts",
            action="store_true",
            help="use the accounts the simulator already holds (e.g. the demo seed's) "
            "instead of made-up ones; implies --no-create",
        )
        parser.add_argument("--db", help="the simulator's SQLite file, for --simulator-accounts")
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
        parser.add_argument(
            "--forever",
            action="store_true",
            help="keep playing, one day of traffic (dated today) per --interval, until "
            "stopped; --days sets when the pharmacies that go silent do so",
        )
        parser.add_argument("--interval", type=float, default=60.0, help="seconds, --forever")
        parser.add_argument("--rounds", type=int, help="with --forever, stop after N days")
        parser.add_argument(
            "--wait",
            type=float,
            default=0.0,
            metavar="SECONDS",
            help="wait up to this long for the simulator to answer before starting",
        )
        parser.add_argument(
            "--report-to",
            default=os.environ.get("TRAFFIC_REPORT_TO", ""),
            metavar="URL",
            help="report every push to this portal's POST /api/v1/sync-reports, as vendor "
            "software would (env TRAFFIC_REPORT_TO)",
        )
        parser.add_argument(
            "--api-key",
            default=os.environ.get("TRAFFIC_API_KEY", ""),
            help="the vendor key for --report-to (env TRAFFIC_API_KEY)",
        )
        parser.add_argument(
            "--api-keys",
            default=os.environ.get("TRAFFIC_API_KEYS", ""),
            metavar="FILE",
            help="a CSV of `facility_code,key` lines: each facility reported with its own "
            "vendor's key (env TRAFFIC_API_KEYS)",
        )
        parser.add_argument("--report-batch", type=int, default=200, help="reports per call")

    def handle(self, *args, **options):
        dialect = options["dialect"]
        base_url = options["base_url"] or system_config(dialect)["base_url"]
        if options["wait"]:
            self._wait_for(base_url, options["wait"])
        facilities = options["facilities"]
        create = not options["no_create"]
        if options["simulator_accounts"]:
            create = False
            facilities = self._simulator_accounts(dialect, options["db"], options["forever"])
        elif options["accounts"]:
            with open(options["accounts"], newline="", encoding="utf-8") as handle:
                facilities = [Credentials(*row[:3]) for row in csv.reader(handle) if row]
            if not facilities:
                raise CommandError("the accounts file lists no account")
        has_key = bool(options["api_key"] or options["api_keys"])
        if bool(options["report_to"]) != has_key:
            raise CommandError("--report-to and --api-key (or --api-keys) go together")
        reporter = None
        if options["report_to"]:
            keys = read_report_keys(options["api_keys"]) if options["api_keys"] else None
            reporter = SyncReporter(
                options["report_to"],
                options["api_key"] or None,
                keys=keys,
                batch_size=options["report_batch"],
            )
        try:
            self._play(dialect, base_url, facilities, create, reporter, options)
        finally:
            if reporter:
                reporter.close()
                self.stdout.write(reporter.summary())

    def _play(self, dialect, base_url, facilities, create, reporter, options):
        common = {
            "reporter": reporter,
            "dialect": dialect,
            "base_url": base_url,
            "facilities": facilities,
            "seed": options["seed"],
            "create": create,
            "vendor_share": options["vendor_share"],
            "sales_per_day": options["sales_per_day"],
            "max_pushes": options["max_pushes"],
        }
        if options["forever"]:
            self._forever(common, options)
            return
        report = run_traffic(
            **common,
            days=options["days"],
            start=options["start"],
            max_seconds=options["max_seconds"],
        )
        self.stdout.write(report.summary())

    def _simulator_accounts(self, dialect, db_path, forever):
        if forever:
            # Asked again each interval until the simulator holds some.
            return lambda: simulator_credentials(dialect, db_path)
        found = simulator_credentials(dialect, db_path)
        if not found:
            raise CommandError(f"the simulator holds no {dialect} account")
        return found

    def _forever(self, common, options):
        stop = threading.Event()

        def request_stop(signum, frame):
            stop.set()

        # A shell starting us in the background may have us ignore Ctrl+C: left so.
        previous = {
            signum: signal.signal(signum, request_stop)
            for signum in (signal.SIGTERM, signal.SIGINT)
            if signal.getsignal(signum) != signal.SIG_IGN
        }
        # A line per request would bury the day summaries in a log that runs for hours.
        httpx_log = logging.getLogger("httpx")
        httpx_level = httpx_log.level
        httpx_log.setLevel(logging.WARNING)

        def report_round(number, report):
            when = datetime.now(VN_TZ).strftime("%Y-%m-%d %H:%M:%S")
            if report.pharmacies:
                self.stdout.write(f"[{when}] {common['dialect']} day {number}: {report.summary()}")
            else:
                self.stdout.write(f"[{when}] {common['dialect']}: no account yet, waiting")
            self.stdout.flush()

        try:
            played = run_traffic_forever(
                **common,
                interval=options["interval"],
                horizon_days=options["days"],
                rounds=options["rounds"],
                stop=stop,
                on_round=report_round,
            )
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            httpx_log.setLevel(httpx_level)
        self.stdout.write(f"{common['dialect']} traffic stopped after {played} day(s)")

    def _wait_for(self, base_url, seconds):
        health = simulator_root(base_url) + "/_simulator/health"
        deadline = time.monotonic() + seconds
        while True:
            try:
                httpx.get(health, timeout=1.0).raise_for_status()
                return
            except httpx.HTTPError as exc:
                if time.monotonic() >= deadline:
                    raise CommandError(f"no simulator answered at {health}") from exc
                time.sleep(0.2)
