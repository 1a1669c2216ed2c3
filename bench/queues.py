"""Staff queue and facility pages at growing data sizes: query counts and time, as ratios.

Run: .venv/bin/python bench/queues.py [--sizes 1000 20000] [--explain]
Builds a throw-away test database (SQLite, or PostgreSQL when DATABASE_URL is set), fills it
with bulk-created facilities and dossiers, and times the pages a reviewer and a Viettel
officer open most. A constant query count and a time ratio near 1 mean the page does not
slow down as the province grows.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)
from django.utils import timezone  # noqa: E402

PAGES = [
    ("review:queue", {}),
    ("review:queue", {"tab": "overdue"}),
    ("review:queue", {"q": "An Khang"}),  # matches every facility: the worst case
    ("review:queue", {"q": "nha thuoc an khang 777"}),  # accent-blind, a handful of rows
    ("issuance:queue", {}),
]


def fill(total):
    from provisioning.models import (
        Commune,
        Dossier,
        DossierStatus,
        Facility,
        Province,
        User,
        Vendor,
    )

    province = Province.objects.get(code=24)
    communes = list(Commune.objects.filter(province=province))
    vendor, _ = Vendor.objects.get_or_create(name="Bench vendor", short_name="BV")
    have = Facility.objects.count()
    owners = User.objects.bulk_create(
        User(email=f"bench{have + i}@example.vn") for i in range(total - have)
    )
    facilities = Facility.objects.bulk_create(
        Facility(
            owner=owner,
            province=province,
            commune=communes[i % len(communes)],
            kind="nha_thuoc",
            name=f"Nhà thuốc An Khang {have + i}",
            certificate_number=f"{have + i}/ĐKKDD-BN",
            certificate_date=timezone.localdate(),
            tax_code=f"{3000000000 + have + i}",
            pharmacist_name="Nguyễn Văn A",
            practising_certificate=f"{have + i}/CCHN",
            address="Số 1",
            phone="0912345678",
            email=owner.email,
            vendor=vendor,
            software_product="X",
            connection_model="direct",
        )
        for i, owner in enumerate(owners)
    )
    statuses = [
        DossierStatus.SUBMITTED,
        DossierStatus.NEEDS_INFO,
        DossierStatus.APPROVED,
        DossierStatus.COMPLETED,
        DossierStatus.PROPOSED_APPROVAL,
    ]
    today = timezone.localdate()
    Dossier.objects.bulk_create(
        Dossier(
            facility=f,
            province=province,
            status=statuses[i % len(statuses)],
            code=f"LTD-24-B-{f.pk:07d}",
            submitted_at=timezone.now(),
            due_date=today - timezone.timedelta(days=i % 9 - 4),
        )
        for i, f in enumerate(facilities)
    )


def slowest(client, url, params):
    """The page's slowest query with PostgreSQL's plan for it (for --explain)."""
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    worst = max(queries.captured_queries, key=lambda query: float(query["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + worst["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return f"{worst['time']} s\n{worst['sql']}\n{plan}"


def measure(client, name, params, repeat=9):
    from django.urls import reverse

    url = reverse(name)
    client.get(url, params)  # warm caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    # Count now: CaptureQueriesContext slices connection.queries lazily, and every later
    # request empties that log (request_started -> reset_queries), so len() after the
    # timing loop below would always be 0.
    count = len(queries.captured_queries)
    # The median: one slow request on a shared machine must not make the ratio.
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
    return count, statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs=2, default=[1000, 20000])
    parser.add_argument(
        "--explain", action="store_true", help="print each page's slowest query and its plan"
    )
    args = parser.parse_args()
    setup_test_environment()
    from django.conf import settings
    from django.test.utils import get_runner

    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        from provisioning.models import Membership, Province, User

        province = Province.objects.get(code=24)
        staff = User.objects.create(email="bench-staff@example.vn")
        for role in ("reviewer", "approver", "viettel"):
            Membership.objects.create(user=staff, province=province, role=role)
        client = Client()
        client.force_login(staff)
        results = {}
        for size in args.sizes:
            fill(size)
            if connection.vendor == "postgresql":
                # As autovacuum would in production: plans from fresh statistics.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            results[size] = [measure(client, n, p) for n, p in PAGES]
        small, large = args.sizes
        print(
            f"{'page':40} {'queries':>12} {'ms at ' + str(small):>12} "
            f"{'ms at ' + str(large):>12} {'ratio':>7}"
        )
        for (name, params), (q1, t1), (q2, t2) in zip(
            PAGES, results[small], results[large], strict=True
        ):
            label = name + (f" {params}" if params else "")
            print(f"{label:40} {q1:>5} → {q2:<5} {t1:>12.1f} {t2:>12.1f} {t2 / t1:>7.2f}")
        if args.explain and connection.vendor == "postgresql":
            from django.urls import reverse

            for name, params in PAGES:
                print(f"\n== {name} {params or ''}\n{slowest(client, reverse(name), params)}")
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    main()
