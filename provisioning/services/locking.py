"""Row locks in one order, and a retry for the transaction that loses a deadlock anyway.

Race: every service locks rows in this order, and only in this order:

    dossier → national account → letter / apology

A service that needs a later row locks the earlier ones first, even when it writes only the
later one (the password reveal locks the dossier before the account). Locks are taken
`FOR UPDATE OF` the row's own table: the facility, users and provinces are never locked, so a
new row that references them (an audit event, a letter) waits for nobody. Two services then
wait on each other only in a line, never in a cycle.

PostgreSQL may still abort a transaction as a deadlock victim or a serialisation failure
(another index, a foreign-key check we did not foresee): `retry_on_deadlock` runs the
service again, from the start, a few times.
"""

import logging
import random
import time
from functools import wraps

from django.db import OperationalError, connection

from ..models import Dossier, NationalAccount

logger = logging.getLogger(__name__)

# deadlock_detected, serialization_failure
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
ATTEMPTS = 3


def lock_dossier(dossier):
    """The dossier (an instance or a pk) re-read under its row lock: the first lock."""
    pk = getattr(dossier, "pk", dossier)
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("facility", "facility__owner", "facility__commune", "province")
        .get(pk=pk)
    )


def lock_account(**lookup):
    """The national account under its row lock: lock its dossier first."""
    return NationalAccount.objects.select_for_update(of=("self",)).filter(**lookup).first()


def is_retryable(error):
    cause = error.__cause__
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return state in RETRYABLE_SQLSTATES


def retry_on_deadlock(service):
    """Run `service` again when PostgreSQL aborted its transaction as a deadlock victim.

    Only a service that opened the transaction is retried: inside a caller's transaction
    the whole transaction is lost, so the error goes up to the caller (who may be retried).
    """

    @wraps(service)
    def retried(*args, **kwargs):
        for attempt in range(1, ATTEMPTS + 1):
            outermost = not connection.in_atomic_block
            try:
                return service(*args, **kwargs)
            except OperationalError as error:
                if not (outermost and is_retryable(error)) or attempt == ATTEMPTS:
                    raise
                logger.warning(
                    "%s lost a deadlock (attempt %s of %s); retrying",
                    service.__qualname__,
                    attempt,
                    ATTEMPTS,
                )
                time.sleep(random.uniform(0.01, 0.05) * attempt)  # noqa: S311 - jitter only
        raise AssertionError("unreachable")

    return retried
