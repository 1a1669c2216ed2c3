"""The traffic generator, read back through the simulator's push log."""

import random
from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from provisioning.national.traffic import (
    DAILY,
    GOES_SILENT,
    IRREGULAR,
    Credentials,
    assign_patterns,
    make_credentials,
    plan_traffic,
    run_traffic,
)

from .conftest import FACILITY, OTHER_FACILITY, PASSWORD, running_simulator

START = date(2026, 2, 1)
DAYS = 12


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """One legacy province's fortnight: the report and the days each facility sent on."""
    db = tmp_path_factory.mktemp("traffic") / "sim.sqlite3"
    with running_simulator("legacy", db) as simulator:
        report = run_traffic(
            dialect="legacy",
            base_url=simulator.base_url,
            facilities=8,
            days=DAYS,
            seed=5,
            start=START,
        )
        days_sent = defaultdict(set)
        for push in simulator.pushes():
            day = date(
                int(push["document_date"][:4]),
                int(push["document_date"][4:6]),
                int(push["document_date"][6:]),
            )
            days_sent[push["facility_code"]].add((day - START).days)
        yield report, days_sent, simulator.pushes()


def of_pattern(report, pattern):
    return [p for p in report.pharmacies if p.pattern == pattern]


def test_every_push_of_the_traffic_is_accepted(province):
    report, _, pushes = province
    assert report.outcomes == {"ok": report.planned}
    assert len(pushes) == report.planned and all(push["ok"] for push in pushes)


def test_daily_pharmacies_push_on_every_day(province):
    report, days_sent, _ = province
    for pharmacy in of_pattern(report, DAILY):
        assert days_sent[pharmacy.facility_code] == set(range(DAYS))


def test_irregular_pharmacies_skip_some_days(province):
    report, days_sent, _ = province
    for pharmacy in of_pattern(report, IRREGULAR):
        assert 0 < len(days_sent[pharmacy.facility_code]) < DAYS


def test_silent_pharmacies_push_until_their_silent_day_and_nothing_after(province):
    report, days_sent, _ = province
    for pharmacy in of_pattern(report, GOES_SILENT):
        assert days_sent[pharmacy.facility_code] == set(range(pharmacy.silent_from))


def test_every_pattern_is_present(province):
    report, _, _ = province
    assert {p.pattern for p in report.pharmacies} == {DAILY, IRREGULAR, GOES_SILENT}


def test_every_pharmacy_starts_with_an_opening_stock_receipt(province):
    report, _, pushes = province
    for pharmacy in report.pharmacies:
        first = next(p for p in pushes if p["facility_code"] == pharmacy.facility_code)
        assert (first["kind"], first["document_date"]) == ("phieu_nhap", f"{START:%Y%m%d}")


def test_pharmacies_push_both_receipts_and_sales(province):
    _, _, pushes = province
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
