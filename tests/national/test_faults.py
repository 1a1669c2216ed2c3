"""Each injected fault, in both dialects, maps to its reason; only network errors and
5xx are retried, and only a bounded number of times."""

import httpx
import pytest

from provisioning.national.errors import AccountLocked, Rejected, TokenExpired, Unreachable
from provisioning.national.transport import RetryPolicy

from .conftest import FAST, USERNAMES, a_push, login_path, push_path


def faulty_client(simulator, fault, **kwargs):
    return simulator.client(headers={"X-Simulate-Fault": fault}, **kwargs)


def test_server_errors_are_retried_a_bounded_number_of_times_then_unreachable(sim):
    with faulty_client(sim, "5xx") as client, pytest.raises(Unreachable, match="503"):
        client.login()
    assert len(sim.requests(login_path(sim))) == FAST.retries + 1


def test_dropped_connections_are_retried_then_unreachable(sim):
    with faulty_client(sim, "drop") as client, pytest.raises(Unreachable):
        client.login()
    assert len(sim.requests(login_path(sim))) == FAST.retries + 1


def test_slow_answer_past_the_timeout_is_unreachable(sim):
    policy = RetryPolicy(timeout=0.2, retries=1, backoff=0.01)
    client = sim.client(
        headers={"X-Simulate-Fault": "slow", "X-Simulate-Delay": "0.6"}, policy=policy
    )
    with client, pytest.raises(Unreachable, match="Timeout"):
        client.login()


def test_one_server_error_is_overcome_by_the_retry(sim):
    sim.set_fault("5xx", count=1, path_prefix=httpx.URL(sim.base_url + login_path(sim)).path)
    with sim.client() as client:
        a_push(sim, client)
    assert [r["status"] for r in sim.requests(login_path(sim))] == [503, 200]


def test_refused_record_is_not_retried(sim):
    with faulty_client(sim, "reject") as client, pytest.raises(Rejected):
        a_push(sim, client)
    assert len(sim.requests(push_path(sim), method="POST")) == 1


def test_wrong_credentials_are_not_retried(sim):
    with sim.client(password="wrong") as client:
        client.verify_login(USERNAMES[sim.dialect], "wrong")
    assert len(sim.requests(login_path(sim))) == 1


def test_reject_fault_carries_the_system_message(sim):
    with faulty_client(sim, "reject") as client, pytest.raises(Rejected, match="từ chối"):
        a_push(sim, client)


def test_locked_fault_makes_the_login_check_report_locked(sim):
    with faulty_client(sim, "locked") as client:
        result = client.verify_login(USERNAMES[sim.dialect], "Mk-Lien7hong!")
    assert result.outcome == "locked"


def test_locked_fault_on_a_push_raises_account_locked(sim):
    with sim.client() as client:
        client.login()
        sim.set_fault("locked", path_prefix=httpx.URL(sim.base_url + push_path(sim)).path)
        with pytest.raises(AccountLocked):
            a_push(sim, client)


def test_server_errors_after_retries_surface_as_unreachable_on_a_push(sim):
    with sim.client() as client:
        client.login()
        sim.set_fault("5xx")
        with pytest.raises(Unreachable):
            a_push(sim, client)


def test_faults_switched_off_at_run_time_stop(sim):
    sim.set_fault("5xx")
    sim.clear_faults()
    with sim.client() as client:
        assert a_push(sim, client).national_id


def test_a_partial_fault_rate_hits_some_requests_and_spares_others(make_simulator):
    simulator = make_simulator("legacy", fault="5xx", fault_rate=0.5, seed=1)
    statuses = {
        httpx.post(simulator.base_url + "/api/tai_khoan/dang_nhap", json={}).status_code
        for _ in range(20)
    }
    assert statuses == {503, 200}


def test_a_fault_set_when_starting_the_server_applies_without_any_header(make_simulator):
    simulator = make_simulator("v2", fault="5xx")
    assert httpx.get(simulator.base_url + "/master/drugs").status_code == 503


def test_simulator_pages_are_never_faulted(make_simulator):
    simulator = make_simulator("legacy", fault="5xx")
    assert simulator.pushes() == []


def test_token_refused_even_after_renewal_raises_token_expired(sim):
    with faulty_client(sim, "expired-token") as client, pytest.raises(TokenExpired):
        a_push(sim, client)
