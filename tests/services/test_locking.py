"""A transaction that loses a deadlock is run again (issue 8, point 9)."""

import pytest
from django.db import OperationalError, transaction

from provisioning.services import locking
from provisioning.services.locking import retry_on_deadlock

pytestmark = pytest.mark.django_db


class DatabaseSaid(Exception):
    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def lost(sqlstate):
    error = OperationalError("deadlock detected")
    error.__cause__ = DatabaseSaid(sqlstate)
    return error


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch):
    monkeypatch.setattr(locking.time, "sleep", lambda seconds: None)


def flaky(*errors):
    calls = []

    @retry_on_deadlock
    def service():
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "done"

    return service, calls


def outside_any_transaction(service):
    """pytest-django wraps each test in a transaction; a service called by a view or a
    task opens the outermost one."""
    connection = transaction.get_connection()
    saved = connection.in_atomic_block
    connection.in_atomic_block = False
    try:
        return service()
    finally:
        connection.in_atomic_block = saved


def test_a_service_that_loses_a_deadlock_is_run_again():
    service, calls = flaky(lost("40P01"))
    assert outside_any_transaction(service) == "done"
    assert len(calls) == 2


def test_a_serialisation_failure_is_run_again_too():
    service, calls = flaky(lost("40001"), lost("40001"))
    assert outside_any_transaction(service) == "done"
    assert len(calls) == 3


def test_after_the_last_attempt_the_deadlock_goes_up():
    service, calls = flaky(*[lost("40P01")] * locking.ATTEMPTS)
    with pytest.raises(OperationalError):
        outside_any_transaction(service)
    assert len(calls) == locking.ATTEMPTS


def test_other_database_errors_are_not_retried():
    service, calls = flaky(lost("53300"))  # too many connections
    with pytest.raises(OperationalError):
        outside_any_transaction(service)
    assert len(calls) == 1


def test_inside_a_callers_transaction_the_deadlock_goes_to_the_caller():
    service, calls = flaky(lost("40P01"))
    with pytest.raises(OperationalError):
        service()
    assert len(calls) == 1
