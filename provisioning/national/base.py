"""The one interface both national systems are reached through.

A client is one account's session: it logs in lazily, reuses its token, and logs in
again once when the system refuses the token. Clients are not thread-safe; a Celery task
builds its own.
"""

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum

from .errors import NationalError, Reason, TokenExpired, Unreachable
from .transport import RetryPolicy, Transport

logger = logging.getLogger("provisioning.national")


class LoginOutcome(StrEnum):
    VERIFIED = "verified"
    WRONG_CREDENTIALS = "wrong_credentials"
    LOCKED = "locked"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    message: str = ""
    system: str = ""

    @property
    def verified(self):
        return self.outcome == LoginOutcome.VERIFIED


@dataclass(frozen=True)
class PushResult:
    kind: str
    national_id: str  # legacy: the ma_*_quoc_gia; v2: the transaction id
    status: str
    messages: tuple = field(default=())


def outcome_for(error: NationalError) -> LoginOutcome:
    """A login can only fail three ways for the caller; a refused login is a wrong one."""
    if error.reason in (Reason.LOCKED, Reason.UNREACHABLE):
        return LoginOutcome(error.reason.value)
    return LoginOutcome.WRONG_CREDENTIALS


def read_json(response):
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    if response.is_success:
        raise Unreachable(f"HTTP {response.status_code} with an answer that is not a JSON object")
    return {}


class NationalClient(ABC):
    system = ""

    def __init__(
        self, base_url, *, username="", password="", policy=None, headers=None, verify_tls=True
    ):
        self.base_url = base_url.rstrip("/")
        self.username = username
        self._password = password
        self._session = None
        self._transport = Transport(
            self.base_url,
            policy=policy or RetryPolicy(),
            headers=headers,
            system=self.system,
            verify_tls=verify_tls,
        )

    def __repr__(self):
        return f"<{type(self).__name__} {self.base_url} user={self.username!r}>"

    def close(self):
        self._transport.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def verify_login(self, username, password) -> LoginResult:
        """Try the credentials without touching this client's own session; never raises
        for the expected failures."""
        try:
            self._login(username, password)
        except NationalError as error:
            logger.info("%s login check for %r: %s", self.system, username, error.reason)
            return LoginResult(outcome_for(error), error.message, self.system)
        return LoginResult(LoginOutcome.VERIFIED, "", self.system)

    def login(self):
        self._session = self._login(self.username, self._password)

    @abstractmethod
    def _login(self, username, password):
        """Log in and return a session object; raise a NationalError on failure."""

    @abstractmethod
    def _auth_headers(self):
        pass

    def _session_stale(self):
        """Whether the token is (about to be) past the lifetime the system announced."""
        return False

    def _call(self, method, path, **kwargs):
        """Send with the session's token. A missing or stale token means a login first; a
        refused one (a 401) means one new login and one resend. Nothing else renews a
        token: the clients we know never call a refresh endpoint."""
        if self._session is None or self._session_stale():
            self.login()
        response = self._transport.request(method, path, headers=self._auth_headers(), **kwargs)
        if response.status_code != 401:
            return response
        logger.info("%s token refused on %s %s, logging in again", self.system, method, path)
        self.login()
        response = self._transport.request(method, path, headers=self._auth_headers(), **kwargs)
        if response.status_code == 401:
            self._session = None
            raise TokenExpired("a fresh token was refused as well", status=401)
        return response

    @abstractmethod
    def push(self, kind, document) -> PushResult:
        """Send one record; raise Rejected (with the system's words) when refused."""
