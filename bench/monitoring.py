"""Monitoring at national scale: ingestion, pages and the sweep, measured in one run.

Run: DATABASE_URL=postgres://… .venv/bin/python bench/monitoring.py --accounts 100000
Builds a throw-away test database on the configured database (the test runner's, like the
other benches), fills it in bulk with the shape of a national deployment (accounts, their
monitoring states, `--days` of daily counts per account) and prints one `name: value` line
per figure:

- ingest_vs_bulk_insert: reports per second through POST /api/v1/sync-reports (the API's
  view, key check and `ingest.reports_ingest`), divided by reports per second of a raw
  bulk insert of the same rows (`SyncReport.objects.bulk_create`); goal ≥ 0.3.
- dashboard_vs_trivial, silent_list_vs_trivial, dashboard_queries, silent_list_queries: a
  page's median time over a trivial view's in the same process (a view rendering the
  portal's layout, base.html, and nothing else; the ratio to a bare HttpResponse is
  printed too), and its query count at N and N/100; `n/a` with the reason while the page
  does not exist.
- sweep_seconds: one `monitoring_sweep` when a third of the accounts cross a threshold.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils import timezone  # noqa: E402

BATCH = 1000  # reports per API call, the API's limit
CHUNK = 5000


def _say(*lines):
    print(*lines, sep="\n", file=sys.stderr, flush=True)


def fill(first, total, days, vendor, creator):
    """Accounts number `first` to `total` (handed over, legacy, all of `vendor`) and their
    states, spread over the statuses by how long they have been quiet; `days` before now."""
    from provisioning.models import Commune, Facility, NationalAccount, Province, User
    from provisioning.monitoring.models import MonitoringState
    from provisioning.monitoring.status import silence_status

    province = Province.objects.get(code=24)
    communes = list(Commune.objects.filter(province=province))
    now = timezone.now()
    rng = random.Random(first)
    for start in range(first, total, CHUNK):
        count = min(CHUNK, total - start)
        with transaction.atomic():
            owners = User.objects.bulk_create(
                User(email=f"bench{start + i}@example.vn") for i in range(count)
            )
            facilities = Facility.objects.bulk_create(
                Facility(
                    owner=owner,
                    province=province,
                    commune=communes[(start + i) % len(communes)],
                    kind=Facility.Kind.PHARMACY,
                    name=f"Nhà thuốc An Khang {start + i}",
                    certificate_number=f"{start + i}/ĐKKDD-BN",
                    certificate_date=timezone.localdate(),
                    tax_code=f"{3000000000 + start + i}",
                    pharmacist_name="Nguyễn Văn A",
                    practising_certificate=f"{start + i}/CCHN",
                    address="Số 1",
                    phone="0912345678",
                    email=owner.email,
                    vendor=vendor,
                    software_product="X",
                    connection_model="direct",
                )
                for i, owner in enumerate(owners)
            )
            accounts = NationalAccount.objects.bulk_create(
                NationalAccount(
                    facility=facility,
                    system="legacy",
                    facility_code=f"24-{start + i:07d}",
                    username=f"gpp_bench_{start + i}",
                    created_by=creator,
                    handed_over_at=now - timedelta(days=days),
                )
                for i, facility in enumerate(facilities)
            )
            states = []
            for account in accounts:
                # Most active, a tail quiet for up to four months.
                quiet = timedelta(hours=rng.expovariate(1 / 24) if rng.random() < 0.85 else 0)
                quiet += timedelta(days=rng.randint(3, 120) if rng.random() >= 0.85 else 0)
                last = now - quiet
                status = silence_status(Facility.Kind.PHARMACY, last, now) or "active"
                states.append(
                    MonitoringState(
                        account=account,
                        status=status,
                        since=last,
                        last_data_at=last,
                        quiet_since=last,
                        enrolled_at=now - timedelta(days=days),
                    )
                )
            MonitoringState.objects.bulk_create(states)
        _say(f"  {start + count} accounts")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def fill_days(days, now):
    """`days` rows per account of daily counts, written by the database itself."""
    from provisioning.monitoring.models import AccountDay

    table = connection.ops.quote_name(AccountDay._meta.db_table)
    today = timezone.localdate(now)
    if connection.vendor == "postgresql":
        sql = (
            f"INSERT INTO {table} (account_id, system, day, pushes, hoa_don, phieu_nhap, "
            "phieu_xuat, don_thuoc, stock_in, stock_out, stock_taking, first_push_at, "
            "last_push_at) "
            "SELECT s.account_id, 'legacy', %s::date - g, 12, 10, 1, 1, 0, 0, 0, 0, "
            "%s::timestamptz - make_interval(days => g, hours => 10), "
            "%s::timestamptz - make_interval(days => g, hours => 1) "
            "FROM provisioning_monitoringstate s CROSS JOIN generate_series(1, %s) g"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [today, now, now, days])
            cursor.execute("ANALYZE")
        return
    from provisioning.monitoring.models import MonitoringState

    ids = list(MonitoringState.objects.values_list("pk", flat=True))
    rows = []
    for day in range(1, days + 1):
        for pk in ids:
            pushed = now - timedelta(days=day)
            rows.append(
                AccountDay(
                    account_id=pk,
                    system="legacy",
                    day=today - timedelta(days=day),
                    pushes=12,
                    hoa_don=10,
                    phieu_nhap=1,
                    phieu_xuat=1,
                    first_push_at=pushed,
                    last_push_at=pushed,
                )
            )
            if len(rows) >= CHUNK:
                AccountDay.objects.bulk_create(rows)
                rows = []
    AccountDay.objects.bulk_create(rows)


def _reports(codes, batches, prefix, now):
    rng = random.Random(prefix)
    return [
        [
            {
                "facility_code": rng.choice(codes),
                "system": "legacy",
                "kind": rng.choice(("hoa_don", "phieu_nhap", "phieu_xuat")),
                "national_id": f"{prefix}-{batch}-{index}",
                "pushed_at": timezone.localtime(
                    now - timedelta(seconds=rng.randint(0, 3600))
                ).isoformat(),
            }
            for index in range(BATCH)
        ]
        for batch in range(batches)
    ]


def ingest_ratio(vendor, batches):
    """(API reports per second, bulk-insert reports per second)."""
    import json
    from datetime import datetime

    from provisioning.models import NationalAccount
    from provisioning.monitoring.keys import api_key_create
    from provisioning.monitoring.models import SyncReport

    _key, raw = api_key_create(vendor=vendor)
    codes = list(NationalAccount.objects.values_list("facility_code", flat=True))
    ids = dict(NationalAccount.objects.values_list("facility_code", "pk"))
    now = timezone.now()
    client = Client()
    headers = {"Authorization": f"Bearer {raw}"}
    warm = _reports(codes, 1, "warm", now)[0]
    client.post(
        "/api/v1/sync-reports", json.dumps({"reports": warm}), "application/json", headers=headers
    )
    api_batches = _reports(codes, batches, "api", now)
    started = time.perf_counter()
    for batch in api_batches:
        answer = client.post(
            "/api/v1/sync-reports",
            json.dumps({"reports": batch}),
            "application/json",
            headers=headers,
        )
        assert answer.status_code == 200, answer.content
        assert answer.json()["accepted"] == BATCH, answer.json()
    api_rate = batches * BATCH / (time.perf_counter() - started)
    bulk_batches = _reports(codes, batches, "bulk", now)
    started = time.perf_counter()
    for batch in bulk_batches:
        with transaction.atomic():
            SyncReport.objects.bulk_create(
                SyncReport(
                    system=r["system"],
                    national_id=r["national_id"],
                    kind=r["kind"],
                    account_id=ids[r["facility_code"]],
                    pushed_at=datetime.fromisoformat(r["pushed_at"]),
                    received_at=now,
                )
                for r in batch
            )
    bulk_rate = batches * BATCH / (time.perf_counter() - started)
    return api_rate, bulk_rate


def trivial(request):
    """The portal's layout and nothing else: what every page costs before its own work."""
    return render(request, "base.html")


def bare(request):
    return HttpResponse("ok")


# The portal's URLs and trivial views, served by the same process and middleware.
urlpatterns = [
    path("_bench/trivial/", trivial),
    path("_bench/bare/", bare),
    path("", include("portal.urls")),
]


def page(client, url, params=None, repeat=9):
    """(queries, median milliseconds) of one page."""
    client.get(url, params)  # warm caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    count = len(queries.captured_queries)  # before the next request empties the log
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
    return count, statistics.median(times)


def sweep_seconds():
    """One sweep a fortnight ahead: every account quiet for more than 3 days by then moves."""
    from provisioning.monitoring.services import monitoring_sweep

    started = time.perf_counter()
    monitoring_sweep(at=timezone.now() + timedelta(days=14))
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=730, help="daily counts per account")
    parser.add_argument("--batches", type=int, default=20, help="API calls of 1,000 reports")
    args = parser.parse_args()
    setup_test_environment()
    from django.conf import settings
    from django.test.utils import get_runner

    settings.MONITORING_API_RATE_LIMIT = 10**9  # the bench measures speed, not the limit
    settings.ROOT_URLCONF = __name__
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        from provisioning.models import Membership, Province, User, Vendor

        staff = User.objects.create(email="bench-staff@example.vn")
        Membership.objects.create(
            user=staff, province=Province.objects.get(code=24), role="reviewer"
        )
        client = Client()
        client.force_login(staff)
        vendor = Vendor.objects.create(name="Bench vendor", short_name="BV")
        creator = User.objects.create(email="bench-creator@example.vn")
        small = max(1, args.accounts // 100)
        _say(f"filling {args.accounts} accounts × {args.days} days on {connection.vendor}…")
        started = time.perf_counter()
        fill(0, small, args.days, vendor, creator)
        silent_url = "/theo-doi/chua-gui-du-lieu/"
        small_queries = page(client, silent_url, repeat=1)[0]
        fill(small, args.accounts, args.days, vendor, creator)
        fill_days(args.days, timezone.now())
        _say(f"filled in {time.perf_counter() - started:.0f} s")
        print(f"accounts: {args.accounts}")
        print(f"days: {args.days}")
        print(f"database: {connection.vendor}")
        trivial_ms = page(client, "/_bench/trivial/")[1]
        bare_ms = page(client, "/_bench/bare/")[1]
        silent_queries, silent_ms = page(client, silent_url)
        search_ms = page(client, silent_url, {"q": "an khang 4242"})[1]
        print(f"trivial_ms: {trivial_ms:.1f}")
        print(f"bare_response_ms: {bare_ms:.1f}")
        print(f"silent_list_vs_bare_response: {silent_ms / bare_ms:.2f}")
        print(f"silent_list_ms: {silent_ms:.1f}")
        print(f"silent_list_search_ms: {search_ms:.1f}")
        print(f"silent_list_vs_trivial: {silent_ms / trivial_ms:.2f}")
        print(f"silent_list_search_vs_trivial: {search_ms / trivial_ms:.2f}")
        print(f"silent_list_queries: {silent_queries} (at {small} accounts: {small_queries})")
        reason = "no monitoring dashboard page exists yet"
        print("dashboard_vs_trivial: n/a")
        print(f"dashboard_vs_trivial_reason: {reason}")
        print("dashboard_queries: n/a")
        print(f"dashboard_queries_reason: {reason}")
        api_rate, bulk_rate = ingest_ratio(vendor, args.batches)
        print(f"ingest_reports_per_second: {api_rate:.0f}")
        print(f"bulk_insert_reports_per_second: {bulk_rate:.0f}")
        print(f"ingest_vs_bulk_insert: {api_rate / bulk_rate:.2f}")
        print(f"sweep_seconds: {sweep_seconds():.1f}")
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    main()
