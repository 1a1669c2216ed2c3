import os
import subprocess
import sys
import time

import httpx
import pytest
from django.core.management import call_command

from provisioning.national.errors import Rejected
from provisioning.national.simulator import REPO_ROOT, Store, ensure_account

from .conftest import FACILITY, OTHER_FACILITY, PASSWORD, USERNAMES, legacy_document


def test_account_listing_never_shows_passwords(legacy_sim):
    answer = httpx.get(legacy_sim.root + "/_simulator/accounts")
    assert answer.json()["accounts"][0]["username"] == USERNAMES["legacy"]
    assert PASSWORD not in answer.text


def test_ensure_account_adds_facility_codes_to_those_it_has(tmp_path):
    db = tmp_path / "sim.sqlite3"
    ensure_account(dialect="v2", username="u", password="p", facility_codes=["A"], db_path=db)
    account = ensure_account(
        dialect="v2", username="u", password="p", facility_codes=["B"], db_path=db
    )
    assert account["facility_codes"] == ["A", "B"]


def test_an_account_added_from_another_process_is_seen_by_the_running_server(legacy_sim):
    Store(legacy_sim.db_path).ensure_account("legacy", "late_user", PASSWORD, [FACILITY])
    with legacy_sim.client("late_user") as client:
        assert client.verify_login("late_user", PASSWORD).verified


def test_the_account_command_creates_a_locked_vendor_account(tmp_path, capsys):
    db = tmp_path / "sim.sqlite3"
    call_command(
        "national_simulator_account",
        "--dialect",
        "legacy",
        "--username",
        "vendor_x",
        "--password",
        PASSWORD,
        "--facility-code",
        FACILITY,
        "--facility-code",
        OTHER_FACILITY,
        "--locked",
        "--db",
        str(db),
    )
    account = Store(db).account("legacy", "vendor_x")
    assert account.locked
    assert account.facility_codes == (OTHER_FACILITY, FACILITY)


def test_push_log_is_filtered_by_facility_code(legacy_sim):
    legacy_sim.add_account(USERNAMES["legacy"], facility_codes=[FACILITY, OTHER_FACILITY])
    with legacy_sim.client() as client:
        client.push("hoa_don", legacy_document("hoa_don", facility=FACILITY))
        client.push("phieu_nhap", legacy_document("phieu_nhap", facility=OTHER_FACILITY))
    [push] = legacy_sim.pushes(facility_code=OTHER_FACILITY)
    assert (push["kind"], push["ok"], push["document_date"]) == ("phieu_nhap", True, "20260302")


def test_one_server_can_speak_both_dialects(make_simulator):
    simulator = make_simulator("both")
    assert httpx.post(simulator.base_url + "/v2/auth/login", data={}).status_code == 401
    answer = httpx.post(simulator.base_url + "/api/tai_khoan/dang_nhap", json={})
    assert answer.json()["code"] == "400"


def test_unknown_path_answers_404(legacy_sim):
    assert httpx.get(legacy_sim.base_url + "/api/nothing").status_code == 404


def test_a_fault_rule_with_an_unknown_fault_is_refused(legacy_sim):
    answer = httpx.post(legacy_sim.root + "/_simulator/faults", json={"fault": "meteor"})
    assert answer.status_code == 400


def test_reading_back_a_record_of_a_facility_not_on_the_account_is_refused(legacy_sim):
    with legacy_sim.client() as client, pytest.raises(Rejected, match=OTHER_FACILITY):
        client.read_back("hoa_don", OTHER_FACILITY, "X0001")


def test_simulator_runs_standalone_without_django(tmp_path, dead_url):
    port = httpx.URL(dead_url).port
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    command = [sys.executable, "-m", "provisioning.national.simulator", "--dialect", "v2"]
    command += ["--port", str(port), "--db", str(tmp_path / "alone.sqlite3")]
    process = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                answer = httpx.get(f"{dead_url}/_simulator/health")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the simulator did not start"
                time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(5)
    assert answer.json() == {"ok": True, "dialect": "v2"}
