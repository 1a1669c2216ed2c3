"""The licensing-register import at scale: rows per second for a first import and a re-import.

Run: .venv/bin/python bench/register.py [--rows 50000] [--format xlsx|csv]
Builds a throw-away test database (SQLite, or PostgreSQL when DATABASE_URL is set), writes a
register file the way licensing systems export it (a title row, real pre-2025 communes of Bắc
Ninh and Bắc Giang written in upper case, without diacritics or abbreviated, some bad dates,
some duplicates) and imports it twice through the same code as `import_register`.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.test.utils import setup_test_environment  # noqa: E402

from provisioning.search import fold  # noqa: E402
from tests.register.helpers import csv_file, xlsx_file  # noqa: E402

KINDS = ["Nhà thuốc", "Quầy thuốc", "Tủ thuốc trạm y tế", "Bán buôn", "Phòng khám"]
ABBREVIATIONS = {"Phường ": "P. ", "Xã ": "X. ", "Thị trấn ": "TT. ", "Huyện ": "H. ",
                 "Thành phố ": "TP. ", "Thị xã ": "TX. "}  # fmt: skip


def messy(name, rng):
    choice = rng.random()
    if choice < 0.25:
        return name.upper()
    if choice < 0.5:
        return fold(name)
    if choice < 0.75:
        for long, short in ABBREVIATIONS.items():
            if name.startswith(long):
                return short + name[len(long) :]
    return name


def register_rows(total, seed=2026):
    from vietnam_provinces.legacy import District, Ward

    rng = random.Random(seed)
    districts = {int(d.code): d for d in District.iter_all() if int(d.province_code) in (24, 27)}
    wards = [w for w in Ward.iter_all() if int(w.district_code) in districts]
    for number in range(1, total + 1):
        ward = rng.choice(wards)
        district = districts[int(ward.district_code)]
        certificate = f"{number:06d}/ĐKKDD-BN"
        if number % 500 == 1 and number > 1:
            certificate = f"{number - 3:06d}/ĐKKDD-BN"  # a duplicate row
        date = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2012, 2025)}"
        if number % 250 == 0:
            date = "31/02/2020"  # an impossible date
        yield [
            number,
            f"Nhà thuốc Số {number}",
            rng.choice(KINDS),
            certificate,
            date,
            "Nguyễn Văn Dược",
            f"CCHN-{number:06d}",
            f"Số {rng.randint(1, 300)} đường {rng.randint(1, 40)}",
            messy(ward.name, rng),
            messy(district.name, rng),
            "Bắc Ninh",
            f"09{number:08d}",
            f"coso{number}@example.vn",
            f"23{number:08d}",
        ]


def register_file(total, fmt):
    """The register as licensing systems export it (the tests' own file builders)."""
    rows = list(register_rows(total))
    if fmt == "csv":
        return csv_file(rows), "so-cap-phep.csv"
    return xlsx_file(rows), "so-cap-phep.xlsx"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    args = parser.parse_args()
    setup_test_environment()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import get_runner

    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        from provisioning.models import Province
        from provisioning.register.services import run_import, summary_line

        province = Province.objects.get(code=24)
        content, name = register_file(args.rows, args.format)
        print(f"{connection.vendor}, {args.rows} rows, {name} of {len(content) / 1e6:.1f} MB")
        for label in ("first import", "same file again"):
            started = time.perf_counter()
            counts, rows = run_import(province=province, content=content, file_name=name)
            elapsed = time.perf_counter() - started
            print(
                f"{label:16} {elapsed:7.1f} s  {len(rows) / elapsed:8.0f} rows/s  "
                + summary_line(counts)
            )
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    main()
