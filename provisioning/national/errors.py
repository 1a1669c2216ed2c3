"""Why a call to a national system failed, as one small hierarchy.

Callers (Celery tasks, the verification check) branch on ``error.reason`` rather than on
HTTP details, so both dialects fail in the same words.
"""

from enum import StrEnum


class Reason(StrEnum):
    WRONG_CREDENTIALS = "wrong_credentials"
    LOCKED = "locked"
    UNREACHABLE = "unreachable"
    REJECTED = "rejected"
    # Normally handled inside the client by logging in again; it only escapes when a
    # brand-new token is refused as well, which means the system itself misbehaves.
    TOKEN_EXPIRED = "token_expired"


class NationalError(Exception):
    reason: Reason

    def __init__(self, message="", *, status=None, record_id=""):
        super().__init__(message or self.reason.value)
        self.message = message
        self.status = status  # the HTTP status, when one came back
        self.record_id = record_id  # e.g. the v2 transaction that ended rejected

    def __str__(self):
        return f"{self.reason.value}: {self.message}" if self.message else self.reason.value


class WrongCredentials(NationalError):
    reason = Reason.WRONG_CREDENTIALS


class AccountLocked(NationalError):
    reason = Reason.LOCKED


class Unreachable(NationalError):
    reason = Reason.UNREACHABLE


class Rejected(NationalError):
    """The system understood the record and refused it; ``message`` is its own words."""

    reason = Reason.REJECTED


class TokenExpired(NationalError):
    reason = Reason.TOKEN_EXPIRED
