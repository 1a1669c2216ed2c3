import ssl

import pytest

from provisioning.national.client import LegacyClient, V2Client, client_for


def test_legacy_is_served_by_the_legacy_adapter_on_the_local_simulator_by_default(settings):
    settings.NATIONAL_SYSTEMS = {}
    with client_for("legacy") as client:
        assert isinstance(client, LegacyClient)
        assert client.base_url == "http://127.0.0.1:8701"


def test_v2_is_served_by_the_v2_adapter_on_the_local_simulator_by_default(settings):
    del settings.NATIONAL_SYSTEMS
    with client_for("v2") as client:
        assert isinstance(client, V2Client)
        assert client.base_url == "http://127.0.0.1:8702/v2"


def test_configured_host_and_retry_policy_are_used(settings):
    settings.NATIONAL_SYSTEMS = {
        "v2": {"base_url": "https://api-sandbox.csdlduoc.com.vn/v2", "retries": 5}
    }
    with client_for("v2") as client:
        assert client.base_url == "https://api-sandbox.csdlduoc.com.vn/v2"
        assert client._transport.policy.retries == 5


def test_an_explicit_base_url_wins_over_the_settings(settings):
    settings.NATIONAL_SYSTEMS = {"legacy": {"base_url": "https://duocquocgia.com.vn"}}
    with client_for("legacy", "http://127.0.0.1:9") as client:
        assert client.base_url == "http://127.0.0.1:9"


def test_an_unknown_system_is_refused():
    with pytest.raises(ValueError, match="unknown national system"):
        client_for("v3")


def test_tls_verification_follows_the_settings(settings):
    settings.NATIONAL_SYSTEMS = {
        "v2": {"base_url": "https://api-sandbox.csdlduoc.com.vn/v2", "verify_tls": False},
        "legacy": {"base_url": "https://duocquocgia.com.vn"},
    }

    def tls(client):
        return client._transport._http._transport._pool._ssl_context

    with client_for("v2") as unchecked, client_for("legacy") as checked:
        assert tls(unchecked).verify_mode == ssl.CERT_NONE
        assert tls(checked).verify_mode == ssl.CERT_REQUIRED
