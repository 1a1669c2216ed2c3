"""The traffic generator, read back through the simulator's push log."""

import csv
import io
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.core.management import call_command

from provisioning.national.traffic import (
    DAILY,
    GOES_SILENT,
    IRREGULAR,
    RECOVERS,
    VENDOR_OUTAGE,
    VN_TZ,
    Credentials,
    Pusher,
    TrafficReport,
    assign_patterns,
    make_credentials,
    plan_day,
    plan_traffic,
    run_traffic,
    run_traffic_forever,
    simulator_credentials,
)

from .conftest import FACILITY, OTHER_FACILITY, PASSWORD, running_simulator

START = date(2026, 2, 1)
DAYS = 12


@dataclass
class Province:
    report: TrafficReport
    days_sent: dict  # facility code → the days (0-based) it pushed on
    pushes: list
    simulator: object


def play_province(simulator, **options):
    report = run_traffic(
        dialect="legacy", base_url=simulator.base_url, days=DAYS, start=START, **options
    )
    days_sent = defaultdict(set)
    for push in simulator.pushes():
        day = date(
            int(push["document_date"][:4]),
            int(push["document_date"][4:6]),
            int(push["document_date"][6:]),
        )
        days_sent[push["facility_code"]].add((day - START).days)
    return Province(report, days_sent, simulator.pushes(), simulator)


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """One legacy province's fortnight: the report and the days each facility sent on."""
    db = tmp_path_factory.mktemp("traffic") / "sim.sqlite3"
    with running_simulator("legacy", db) as simulator:
        yield play_province(simulator, facilities=8, seed=5)


@pytest.fixture(scope="module")
def vendor_province(tmp_path_factory):
    """Half of the pharmacies behind one vendor account."""
    db = tmp_path_factory.mktemp("vendor") / "sim.sqlite3"
    with running_simulator("legacy", db) as simulator:
        yield play_province(simulator, facilities=6, seed=3, vendor_share=0.5)


def of_pattern(report, pattern):
    return [p for p in report.pharmacies if p.pattern == pattern]


def test_every_push_of_the_traffic_is_accepted(province):
    report, pushes = province.report, province.pushes
    assert report.outcomes == {"ok": report.planned}
    assert len(pushes) == report.planned and all(push["ok"] for push in pushes)


def test_daily_pharmacies_push_on_every_day(province):
    report, days_sent = province.report, province.days_sent
    for pharmacy in of_pattern(report, DAILY):
        assert days_sent[pharmacy.facility_code] == set(range(DAYS))


def test_irregular_pharmacies_skip_some_days(province):
    report, days_sent = province.report, province.days_sent
    for pharmacy in of_pattern(report, IRREGULAR):
        assert 0 < len(days_sent[pharmacy.facility_code]) < DAYS


def test_silent_pharmacies_push_until_their_silent_day_and_nothing_after(province):
    report, days_sent = province.report, province.days_sent
    for pharmacy in of_pattern(report, GOES_SILENT):
        assert days_sent[pharmacy.facility_code] == set(range(pharmacy.silent_from))


def test_every_pattern_is_present(province):
    report = province.report
    assert {p.pattern for p in report.pharmacies} == {DAILY, IRREGULAR, GOES_SILENT, RECOVERS}


def test_recovering_pharmacies_fall_silent_for_a_while_then_push_every_day_again(province):
    [pharmacy] = of_pattern(province.report, RECOVERS)
    silence = set(range(pharmacy.silent_from, pharmacy.silent_until))
    assert silence and pharmacy.silent_until < DAYS
    assert province.days_sent[pharmacy.facility_code] == set(range(DAYS)) - silence


def test_a_vendors_pharmacies_go_quiet_together_and_come_back_together(vendor_province):
    report, days_sent = vendor_province.report, vendor_province.days_sent
    behind_vendor = of_pattern(report, VENDOR_OUTAGE)
    assert len(behind_vendor) == 3
    assert len({p.credentials.username for p in behind_vendor}) == 1
    [(start, until)] = {(p.silent_from, p.silent_until) for p in behind_vendor}
    assert 0 < start < until < DAYS
    for pharmacy in behind_vendor:
        assert days_sent[pharmacy.facility_code] == set(range(DAYS)) - set(range(start, until))


def test_pharmacies_of_their_own_keep_their_patterns_through_a_vendor_outage(vendor_province):
    own = [p for p in vendor_province.report.pharmacies if p.pattern != VENDOR_OUTAGE]
    assert len(own) == 3
    assert {p.pattern for p in own} >= {IRREGULAR, GOES_SILENT}
    assert vendor_province.report.outcomes == {"ok": vendor_province.report.planned}


def test_the_simulators_activity_export_counts_the_traffic_per_pharmacy_and_day(province):
    answer = httpx.get(province.simulator.root + "/_simulator/activity.csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    names = {p.facility_code: p.credentials.facility_name for p in province.report.pharmacies}
    sales = Counter(
        (p["facility_code"], p["document_date"]) for p in province.pushes if p["kind"] == "hoa_don"
    )
    assert len(rows) == sum(len(days) for days in province.days_sent.values())
    for row in rows:
        day = datetime.strptime(row["Ngày"], "%d/%m/%Y").strftime("%Y%m%d")  # noqa: DTZ007
        assert row["Tên cơ sở"] == names[row["Mã cơ sở"]] != ""
        assert int(row["Số hóa đơn"]) == sales[row["Mã cơ sở"], day]


def test_every_pharmacy_starts_with_an_opening_stock_receipt(province):
    report, pushes = province.report, province.pushes
    for pharmacy in report.pharmacies:
        first = next(p for p in pushes if p["facility_code"] == pharmacy.facility_code)
        assert (first["kind"], first["document_date"]) == ("phieu_nhap", f"{START:%Y%m%d}")


def test_pharmacies_push_both_receipts_and_sales(province):
    pushes = province.pushes
    assert {push["kind"] for push in pushes} == {"phieu_nhap", "hoa_don"}


def test_the_same_seed_plans_the_same_traffic():
    def plan(seed):
        rng = random.Random(seed)
        creds = make_credentials(6, dialect="v2", rng=rng, province_code=24)
        pharmacies = assign_patterns(creds, rng=rng, days=10)
        return plan_traffic(pharmacies, days=10, start=START, rng=rng)

    assert plan(3) == plan(3)
    assert plan(3) != plan(4)


def test_traffic_stops_at_its_push_limit(make_simulator):
    simulator = make_simulator("legacy")
    report = run_traffic(
        dialect="legacy", base_url=simulator.base_url, facilities=3, days=5, max_pushes=4
    )
    assert report.stopped_early
    assert len(simulator.pushes()) == 4


def test_traffic_uses_given_credentials_including_a_vendor_account(make_simulator):
    simulator = make_simulator("v2")
    given = [
        Credentials(FACILITY, "vendor_1", PASSWORD),
        Credentials(OTHER_FACILITY, "vendor_1", PASSWORD),
    ]
    report = run_traffic(
        dialect="v2", base_url=simulator.base_url, facilities=given, days=2, seed=1, sales_per_day=1
    )
    assert report.outcomes == {"ok": report.planned}
    assert {p["facility_code"] for p in simulator.pushes(username="vendor_1")} == {
        FACILITY,
        OTHER_FACILITY,
    }


def test_v2_traffic_opens_each_facility_before_selling(make_simulator):
    simulator = make_simulator("v2")
    run_traffic(
        dialect="v2",
        base_url=simulator.base_url,
        facilities=3,
        days=3,
        seed=2,
        start=START - timedelta(days=3),
    )
    pushes = simulator.pushes()
    assert pushes and all(push["ok"] for push in pushes)
    assert {push["kind"] for push in pushes} == {"stock-in", "stock-out"}


def test_the_traffic_command_reports_what_it_sent(make_simulator, capsys):
    simulator = make_simulator("legacy")
    call_command(
        "national_traffic",
        "--dialect",
        "legacy",
        "--base-url",
        simulator.base_url,
        "--facilities",
        "2",
        "--days",
        "2",
        "--seed",
        "9",
    )
    assert "2 pharmacies" in capsys.readouterr().out
    assert simulator.pushes()


# Playing on, one day per interval


def today_stamp():
    return f"{datetime.now(VN_TZ):%Y%m%d}"


def test_each_round_of_the_loop_plays_one_day_dated_today(make_simulator):
    simulator = make_simulator("legacy")
    reports = []

    played = run_traffic_forever(
        dialect="legacy",
        base_url=simulator.base_url,
        facilities=3,
        interval=0,
        rounds=2,
        seed=1,
        on_round=lambda number, report: reports.append((number, report)),
    )

    assert played == 2
    assert [number for number, _ in reports] == [1, 2]
    assert all(report.outcomes == {"ok": report.planned} for _, report in reports)
    pushes = simulator.pushes()
    assert {push["document_date"] for push in pushes} == {today_stamp()}
    assert len(pushes) == sum(report.sent for _, report in reports)


def test_the_first_round_opens_every_pharmacy_and_later_rounds_do_not(make_simulator):
    simulator = make_simulator("v2")
    run_traffic_forever(
        dialect="v2", base_url=simulator.base_url, facilities=3, interval=0, rounds=2, seed=2
    )

    openings = [p for p in simulator.pushes() if p["kind"] == "stock-in"]
    assert len(openings) == 3
    assert all(push["ok"] for push in simulator.pushes())


def test_two_runs_on_the_same_day_never_reuse_a_reference(make_simulator):
    simulator = make_simulator("legacy")
    for _ in range(2):
        run_traffic_forever(
            dialect="legacy", base_url=simulator.base_url, facilities=2, interval=0, rounds=1
        )

    pushes = simulator.pushes()
    assert all(push["ok"] for push in pushes)
    assert len({(p["facility_code"], p["record_id"]) for p in pushes}) == len(pushes)


def test_a_loop_asked_to_stop_before_it_starts_plays_nothing(make_simulator):
    simulator = make_simulator("legacy")
    stop = threading.Event()
    stop.set()

    played = run_traffic_forever(
        dialect="legacy", base_url=simulator.base_url, facilities=2, interval=0, stop=stop
    )

    assert played == 0
    assert simulator.pushes() == []


def test_a_stop_while_the_loop_waits_ends_it_without_waiting_the_interval(make_simulator):
    simulator = make_simulator("legacy")
    stop = threading.Event()
    started = time.monotonic()

    played = run_traffic_forever(
        dialect="legacy",
        base_url=simulator.base_url,
        facilities=2,
        interval=60,
        stop=stop,
        on_round=lambda number, report: stop.set(),
    )

    assert played == 1
    assert time.monotonic() - started < 10


def test_a_stop_during_a_day_ends_it_between_two_pushes(make_simulator):
    simulator = make_simulator("legacy")
    stop = threading.Event()
    stop.set()
    rng = random.Random(0)
    pharmacies = assign_patterns(
        make_credentials(2, dialect="legacy", rng=rng, province_code=24), rng=rng, days=5
    )
    planned = plan_day(pharmacies, day_index=0, day=START, rng=rng)
    report = TrafficReport("legacy", pharmacies)

    Pusher("legacy", simulator.base_url).play(planned, report, rng, max_pushes=100, stop=stop)

    assert report.stopped_early
    assert report.sent == 0


def test_the_loop_waits_until_the_simulator_holds_accounts(make_simulator):
    simulator = make_simulator("legacy")
    answers = iter([[], [Credentials(FACILITY, "gpp_cho", PASSWORD)]])
    seen = []

    played = run_traffic_forever(
        dialect="legacy",
        base_url=simulator.base_url,
        facilities=lambda: next(answers),
        interval=0,
        rounds=1,
        on_round=lambda number, report: seen.append(len(report.pharmacies)),
    )

    assert played == 1
    assert seen == [0, 1]
    assert {push["facility_code"] for push in simulator.pushes()} == {FACILITY}


def test_the_simulators_unlocked_accounts_are_listed_once_per_facility_code(make_simulator):
    simulator = make_simulator("legacy")
    simulator.add_account("vendor_1", facility_codes=(FACILITY, OTHER_FACILITY))
    simulator.add_account("gpp_khoa", facility_codes=("24-000777",), locked=True)
    make_simulator("v2").add_account("012345678901")  # another file, another dialect

    found = simulator_credentials("legacy", simulator.db_path)

    assert set(found) == {
        Credentials(FACILITY, "vendor_1", PASSWORD),
        Credentials(OTHER_FACILITY, "vendor_1", PASSWORD),
    }
    assert len(found) == 2


def test_the_traffic_command_plays_the_simulators_own_accounts_forever(make_simulator, capsys):
    simulator = make_simulator("v2")
    simulator.add_account("012345678901")
    call_command(
        "national_traffic",
        "--dialect",
        "v2",
        "--base-url",
        simulator.base_url,
        "--simulator-accounts",
        "--db",
        simulator.db_path,
        "--forever",
        "--interval",
        "0",
        "--rounds",
        "1",
    )

    out = capsys.readouterr().out
    assert "v2 day 1: 1 pharmacies" in out
    assert "v2 traffic stopped after 1 day(s)" in out
    pushes = simulator.pushes()
    assert pushes and all(p["ok"] and p["username"] == "012345678901" for p in pushes)


def test_the_traffic_command_stops_cleanly_on_sigterm(make_simulator):
    simulator = make_simulator("legacy")
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "national_traffic",
            "--dialect",
            "legacy",
            "--base-url",
            simulator.base_url,
            "--facilities",
            "2",
            "--forever",
            "--interval",
            "60",
            "--wait",
            "5",
        ],
        cwd=Path(settings.BASE_DIR),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        first = process.stdout.readline()
        assert "legacy day 1:" in first
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=15)
    finally:
        process.kill()
    assert process.returncode == 0
    assert "legacy traffic stopped after 1 day(s)" in rest
