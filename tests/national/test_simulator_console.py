"""The simulator's HTML account console at /_simulator/, over real HTTP."""

from html import escape

import httpx
import pytest

from provisioning.crypto import password_is_strong as portal_password_is_strong
from provisioning.national.simulator import Store, console
from provisioning.national.verification import check_credentials

from .conftest import FACILITY, PASSWORD, USERNAMES

NEW_PASSWORD = "Tao-Moi2026"


def page(simulator, path="/_simulator/", **params):
    return httpx.get(simulator.root + path, params=params)


def submit(simulator, **fields):
    form = {
        "dialect": simulator.dialect,
        "username": "nha_thuoc_moi",
        "password": NEW_PASSWORD,
        "facility_code": FACILITY,
        **fields,
    }
    return httpx.post(simulator.root + "/_simulator/", data=form)


def stored(simulator, username, dialect=None):
    return Store(simulator.db_path).account(dialect or simulator.dialect, username)


@pytest.mark.parametrize("path", ["/_simulator/", "/_simulator"])
def test_console_lists_an_existing_account_without_its_password(legacy_sim, path):
    answer = page(legacy_sim, path)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert escape(console.TITLE) in answer.text
    assert "bộ mô phỏng" in answer.text
    assert USERNAMES["legacy"] in answer.text and FACILITY in answer.text
    assert "Hoạt động" in answer.text
    assert PASSWORD not in answer.text


def test_console_shows_a_locked_account_as_locked(legacy_sim):
    legacy_sim.add_account(USERNAMES["legacy"], locked=True)
    assert "Đang khóa" in page(legacy_sim).text


def test_account_created_through_the_form_logs_in_through_the_real_client(sim):
    answer = submit(sim)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/_simulator/?tao=nha_thuoc_moi"
    after = httpx.get(sim.root + answer.headers["location"])
    assert "Đã tạo tài khoản <strong>nha_thuoc_moi</strong>" in after.text
    assert NEW_PASSWORD not in after.text
    result = check_credentials(sim.dialect, "nha_thuoc_moi", NEW_PASSWORD, base_url=sim.base_url)
    assert result.verified
    assert stored(sim, "nha_thuoc_moi").facility_codes == (FACILITY,)


def test_weak_password_is_refused_with_the_message_and_nothing_is_created(legacy_sim):
    answer = submit(legacy_sim, password="matkhau1", facility_code="24-000777")
    assert answer.status_code == 400
    assert escape(console.MSG_WEAK_PASSWORD) in answer.text
    assert 'value="nha_thuoc_moi"' in answer.text and 'value="24-000777"' in answer.text
    assert "matkhau1" not in answer.text
    assert stored(legacy_sim, "nha_thuoc_moi") is None


def test_missing_field_is_refused_and_nothing_is_created(legacy_sim):
    answer = submit(legacy_sim, facility_code="  ")
    assert answer.status_code == 400
    assert escape(console.MSG_REQUIRED) in answer.text
    assert stored(legacy_sim, "nha_thuoc_moi") is None


def test_existing_username_is_refused_and_keeps_its_password(legacy_sim):
    answer = submit(legacy_sim, username=USERNAMES["legacy"])
    assert answer.status_code == 400
    assert escape(console.MSG_EXISTS) in answer.text
    assert stored(legacy_sim, USERNAMES["legacy"]).password == PASSWORD


def test_legacy_password_the_legacy_login_would_refuse_is_refused(legacy_sim):
    answer = submit(legacy_sim, password="Aa1-" + "x" * 27)
    assert answer.status_code == 400
    assert escape(console.MSG_TOO_LONG) in answer.text
    assert stored(legacy_sim, "nha_thuoc_moi") is None


def test_html_in_a_username_is_escaped(legacy_sim):
    username = '<script>alert("x")</script>'
    assert submit(legacy_sim, username=username).status_code == 303
    listed = page(legacy_sim, tao=username)
    assert username not in listed.text
    assert escape(username) in listed.text
    refused = submit(legacy_sim, username=username + "2", password="weak")
    assert username not in refused.text
    assert escape(username + "2") in refused.text


def test_v2_only_server_does_not_offer_legacy(v2_sim):
    shown = page(v2_sim).text
    assert '<option value="v2"' in shown
    assert 'value="legacy"' not in shown
    answer = submit(v2_sim, dialect="legacy")
    assert answer.status_code == 400
    assert escape(console.MSG_DIALECT) in answer.text
    assert stored(v2_sim, "nha_thuoc_moi", "legacy") is None


def test_v2_only_server_lists_no_legacy_account_of_a_shared_file(v2_sim):
    Store(v2_sim.db_path).ensure_account("legacy", "chi_o_2018", PASSWORD, [FACILITY])
    assert "chi_o_2018" not in page(v2_sim).text


def test_console_lists_the_newest_two_hundred_with_the_count(make_simulator):
    simulator = make_simulator("legacy")
    store = Store(simulator.db_path)
    for n in range(console.LIMIT + 1):
        store.ensure_account("legacy", f"tk_{n:03d}", PASSWORD, [FACILITY])
    shown = page(simulator).text
    assert f"trên tổng số {console.LIMIT + 1}" in shown
    assert "tk_000" not in shown
    assert shown.index("tk_200") < shown.index("tk_199") < shown.index("tk_001")


@pytest.mark.parametrize(
    "password", ["", "Aa1-", "abcdefgh", "abcdefg1", "Abcdefg1", "abcdef1@", "ABCD@@12", "Aa1@Aa1@"]
)
def test_console_password_rule_is_the_portals(password):
    assert console.password_is_strong(password) == portal_password_is_strong(password)


def test_json_endpoints_still_answer_json(legacy_sim):
    answer = httpx.get(legacy_sim.root + "/_simulator/health")
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    assert answer.json()["ok"] is True


def test_console_links_to_the_activity_files_it_serves(legacy_sim):
    text = page(legacy_sim).text
    for name in ("activity.xlsx", "activity.csv"):
        assert f'href="/_simulator/{name}"' in text
        assert page(legacy_sim, f"/_simulator/{name}").status_code == 200
