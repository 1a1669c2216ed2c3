"""Every page a province's staff, its facilities and the public open, at growing history.

Run: DATABASE_URL=postgres://… .venv/bin/python bench/pages.py --dossiers 1000 --dossiers 100000

Builds (or reuses) one province of each size on the configured database (bench/data.py), then
measures every page in one process: sizes and pages interleaved in a shuffled order, each
request paired with the trivial view (`HttpResponse("ok")` behind the same middleware, from
the same client; logged out for the public lookup). It prints one line per page and size,
`<page> @<N>: <ratio>x, <queries> queries`: the page's median time over the trivial view's.
A page that does not grow with history keeps its ratio and its query count at every size.
DEBUG and Django's template instrumentation stay off, as in production.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.data import province_of_size  # noqa: E402

# A page of the queues far from the first, the same at every size (deep offsets are what
# the capped counts keep the paginator from offering).
LATE_PAGE = 20


def pages(bench):
    """(label, who, url, params) for every page measured, for one province."""
    showcase = bench.showcase
    code_typed = showcase.code.replace("-", "").lower()  # any case, without dashes
    review = reverse("review:queue")
    viettel = reverse("issuance:queue")
    listed = [
        (f"review queue {tab}", "reviewer", review, {"tab": tab})
        for tab in ("new", "waiting", "due_soon", "overdue", "proposed", "decided", "all")
    ]
    listed += [
        (f"review queue {tab} p{LATE_PAGE}", "reviewer", review, {"tab": tab, "page": LATE_PAGE})
        for tab in ("decided", "all")
    ]
    listed += [
        ("review search name", "reviewer", review, {"tab": "all", "q": "hanh phuoc dong"}),
        ("review search code", "reviewer", review, {"tab": "all", "q": code_typed}),
    ]
    listed += [
        (f"viettel queue {tab}", "viettel", viettel, {"tab": tab})
        for tab in ("confirm", "issue", "done")
    ]
    listed += [
        (
            f"viettel queue done p{LATE_PAGE}",
            "viettel",
            viettel,
            {"tab": "done", "page": LATE_PAGE},
        ),
        ("review dossier", "reviewer", reverse("review:dossier", args=[showcase.pk]), {}),
        ("viettel dossier", "viettel", reverse("issuance:dossier", args=[showcase.pk]), {}),
        ("facility dossier", "owner", reverse("facility:dossier", args=[showcase.pk]), {}),
        ("facility home", "owner", reverse("facility:home"), {}),
        (
            "public lookup",
            "anonymous",
            reverse("public:lookup"),
            {"code": showcase.code, "secret": showcase.lookup_secret},
        ),
    ]
    return listed


class Visitor:
    """One client per user; every request from its own address, so that the lookup's rate
    limit counts as it would for many visitors."""

    def __init__(self, user):
        self.client = Client()
        if user is not None:
            self.client.force_login(user)
        self.addresses = (f"10.{n // 250 % 250}.{n % 250}.1" for n in range(10**9))

    def get(self, url, params=None):
        response = self.client.get(url, params or {}, HTTP_X_REAL_IP=next(self.addresses))
        if response.status_code != 200:
            raise SystemExit(f"{url} {params} answered {response.status_code}")
        return response

    def timed(self, url, params=None):
        started = time.perf_counter()
        self.get(url, params)
        return time.perf_counter() - started


def queries(visitor, url, params):
    with CaptureQueriesContext(connection) as captured:
        visitor.get(url, params)
    return len(captured.captured_queries)


def explain(visitor, url, params):
    """The page's slowest query and PostgreSQL's plan for it."""
    with CaptureQueriesContext(connection) as captured:
        visitor.get(url, params)
    worst = max(captured.captured_queries, key=lambda query: float(query["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + worst["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return f"{worst['sql']}\n{plan}"


def load():
    return os.getloadavg()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, action="append", required=True)
    parser.add_argument("--rounds", type=int, default=15, help="pairs per page and size")
    parser.add_argument("--only", help="measure only the pages whose label contains this")
    parser.add_argument("--verbose", action="store_true", help="add the medians in ms")
    parser.add_argument("--explain", action="store_true", help="print each page's slowest plan")
    args = parser.parse_args()
    settings.DEBUG = False
    settings.STAFF_REQUIRE_MFA = True
    settings.BEHIND_PROXY = True

    measured = []  # (size, label, visitor, url, params)
    for size in args.dossiers:
        bench = province_of_size(size)
        visitors = {
            "reviewer": Visitor(bench.reviewer),
            "viettel": Visitor(bench.viettel),
            "owner": Visitor(bench.owner),
            "anonymous": Visitor(None),
        }
        for label, who, url, params in pages(bench):
            if args.only and args.only not in label:
                continue
            measured.append((size, label, visitors[who], url, params))

    trivial = reverse("bench_ok")
    counts = {}
    for size, label, visitor, url, params in measured:
        for _ in range(3):  # connections, caches and the templates warmed
            visitor.get(url, params)
            visitor.get(trivial)
        counts[size, label] = queries(visitor, url, params)
        if args.explain and connection.vendor == "postgresql":
            print(f"== {label} @{size}\n{explain(visitor, url, params)}\n")

    before = load()
    times = {(size, label): ([], []) for size, label, *_ in measured}
    order = list(measured)
    for _ in range(args.rounds):
        random.shuffle(order)
        for size, label, visitor, url, params in order:
            page_times, trivial_times = times[size, label]
            # Which of the pair goes first alternates, so neither gets the warmer cache.
            if random.random() < 0.5:
                page_times.append(visitor.timed(url, params))
                trivial_times.append(visitor.timed(trivial))
            else:
                trivial_times.append(visitor.timed(trivial))
                page_times.append(visitor.timed(url, params))
    after = load()

    print(f"# load average: {before[0]:.2f} before, {after[0]:.2f} after ({os.cpu_count()} CPUs)")
    labels = list(dict.fromkeys(label for _size, label, *_ in measured))
    for label in labels:
        for size in args.dossiers:
            if (size, label) not in times:
                continue
            page_times, trivial_times = times[size, label]
            page, unit = statistics.median(page_times), statistics.median(trivial_times)
            line = f"{label} @{size}: {page / unit:.1f}x, {counts[size, label]} queries"
            if args.verbose:
                line += f"  ({page * 1000:.1f} ms / {unit * 1000:.2f} ms)"
            print(line)


if __name__ == "__main__":
    main()
