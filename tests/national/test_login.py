"""verify_login, the same for both dialects: each outcome, never an exception."""

import base64

import httpx

from provisioning.national.client import client_for
from provisioning.national.verification import check_credentials

from .conftest import FAST, PASSWORD, USERNAMES


def test_right_credentials_are_verified(sim):
    with sim.client() as client:
        result = client.verify_login(USERNAMES[sim.dialect], PASSWORD)
    assert result.outcome == "verified"


def test_wrong_password_is_wrong_credentials(sim):
    with sim.client() as client:
        result = client.verify_login(USERNAMES[sim.dialect], "not-the-password")
    assert result.outcome == "wrong_credentials"
    assert result.message


def test_unknown_username_is_wrong_credentials(sim):
    with sim.client() as client:
        result = client.verify_login("000000000000", PASSWORD)
    assert result.outcome == "wrong_credentials"


def test_locked_account_is_locked(sim):
    sim.add_account(USERNAMES[sim.dialect], locked=True)
    with sim.client() as client:
        result = client.verify_login(USERNAMES[sim.dialect], PASSWORD)
    assert result.outcome == "locked"


def test_system_that_does_not_answer_is_unreachable(sim, dead_url):
    client = client_for(sim.dialect, dead_url, policy=FAST)
    with client:
        result = client.verify_login(USERNAMES[sim.dialect], PASSWORD)
    assert result.outcome == "unreachable"
    assert result.message


def test_check_credentials_verifies_through_the_named_system(sim):
    result = check_credentials(sim.dialect, USERNAMES[sim.dialect], PASSWORD, base_url=sim.base_url)
    assert result.verified


def test_legacy_password_longer_than_thirty_characters_is_wrong_credentials(legacy_sim):
    with legacy_sim.client() as client:
        result = client.verify_login(USERNAMES["legacy"], "x" * 31)
    assert result.outcome == "wrong_credentials"


def test_v2_simulator_refuses_a_password_sent_without_base64(v2_sim):
    answer = httpx.post(
        v2_sim.base_url + "/auth/login",
        data={"username": USERNAMES["v2"], "password": PASSWORD},
    )
    assert answer.status_code == 401


def test_v2_simulator_accepts_a_base64_password_and_announces_whole_seconds(v2_sim):
    encoded = base64.b64encode(PASSWORD.encode()).decode()
    answer = httpx.post(
        v2_sim.base_url + "/auth/login", data={"username": USERNAMES["v2"], "password": encoded}
    ).json()
    assert answer["token_type"] == "Bearer"
    assert answer["expires_in"] == 86400 and type(answer["expires_in"]) is int
    assert answer["refresh_token"]
