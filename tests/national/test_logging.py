import base64
import logging
import sqlite3

import pytest

from provisioning.national.errors import NationalError

from .conftest import PASSWORD, USERNAMES, a_push


def issued_tokens(simulator):
    with sqlite3.connect(simulator.db_path) as db:
        return [row[0] for row in db.execute("SELECT token FROM tokens")]


def test_logs_never_contain_the_password_or_a_token(sim, caplog):
    caplog.set_level(logging.DEBUG)
    with sim.client() as client:
        client.verify_login(USERNAMES[sim.dialect], "wrong-" + PASSWORD)
        a_push(sim, client, "R1")
        sim.expire_tokens()
        a_push(sim, client, "R2")
    with sim.client(headers={"X-Simulate-Fault": "5xx"}) as client:
        with pytest.raises(NationalError) as failure:
            a_push(sim, client, "R3")
    secrets = [PASSWORD, base64.b64encode(PASSWORD.encode()).decode(), *issued_tokens(sim)]
    assert len(secrets) > 3
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "POST" in logged  # the calls were logged...
    for secret in secrets:  # ...but none of the secrets
        assert secret not in logged
        assert secret not in str(failure.value)
        assert secret not in repr(client)
