"""The new system (Hệ thống CSDL về dược, spec v1.1): OAuth-like tokens and asynchronous
transactions that are polled until they settle."""

import base64
import time
from dataclasses import dataclass

from . import endpoints as ep
from .base import NationalClient, PushResult, read_json
from .errors import AccountLocked, Rejected, Unreachable, WrongCredentials

# Renew a little before the announced expiry so a token does not die in flight.
EXPIRY_MARGIN_SECONDS = 5.0


@dataclass
class _Tokens:
    access: str
    expires_at: float  # on the client's clock


@dataclass(frozen=True)
class TransactionStatus:
    transaction_id: str
    status: str  # lower-cased: the system's case varies
    messages: tuple
    submitted_at: str

    @property
    def final(self):
        return self.status in ep.FINAL_STATUSES


def _message(body, status):
    for name in ep.V2_MESSAGE_FIELDS:
        if body.get(name):
            return str(body[name])
    return f"HTTP {status}"


def _first(body, names, default=None):
    """The value under the first of ``names`` the answer carries."""
    for name in names:
        if body.get(name) not in (None, ""):
            return body[name]
    return default


def _is_locked(response, body):
    return body.get(ep.V2_ERROR) == ep.V2_ERROR_LOCKED or response.status_code == 423


class V2Client(NationalClient):
    system = ep.V2

    def __init__(
        self, base_url, *, poll_interval=1.0, poll_timeout=60.0, clock=time.monotonic, **kwargs
    ):
        super().__init__(base_url, **kwargs)
        self.poll_interval = poll_interval
        self.poll_timeout = poll_timeout
        self._clock = clock  # seconds; tests pass one they can move forward

    def _tokens_from(self, response):
        body = read_json(response)
        if response.is_success:
            if not body.get(ep.V2_ACCESS_TOKEN):
                raise Unreachable("login answered without an access token")
            try:
                lifetime = float(body.get(ep.V2_EXPIRES_IN) or 0)
            except (TypeError, ValueError):
                lifetime = 0.0  # no usable lifetime: keep the token until it is refused
            expires_at = (
                self._clock() + max(lifetime - EXPIRY_MARGIN_SECONDS, lifetime / 2)
                if lifetime > 0
                else float("inf")
            )
            return _Tokens(body[ep.V2_ACCESS_TOKEN], expires_at)
        message = _message(body, response.status_code)
        if response.status_code == 403 or _is_locked(response, body):
            raise AccountLocked(message, status=response.status_code)
        raise WrongCredentials(message, status=response.status_code)

    def _login(self, username, password):
        encoded = base64.b64encode(password.encode()).decode("ascii")
        response = self._transport.request(
            "POST", ep.V2_LOGIN_PATH, data={ep.V2_USERNAME: username, ep.V2_PASSWORD: encoded}
        )
        return self._tokens_from(response)

    def _session_stale(self):
        return self._clock() >= self._session.expires_at

    def _auth_headers(self):
        return {"Authorization": f"Bearer {self._session.access}"}

    def _checked(self, response):
        body = read_json(response)
        if response.is_success:
            return body
        message = _message(body, response.status_code)
        if _is_locked(response, body):
            raise AccountLocked(message, status=response.status_code)
        raise Rejected(message, status=response.status_code)

    def submit(self, kind, transaction) -> str:
        body = self._checked(self._call("POST", ep.v2_transaction_path(kind), json=transaction))
        transaction_id = _first(body, ep.V2_TRANSACTION_ID_FIELDS)
        if transaction_id is None:
            raise Unreachable("the transaction was taken without an id")
        return str(transaction_id)

    def status(self, kind, transaction_id) -> TransactionStatus:
        body = self._checked(self._call("GET", ep.v2_status_path(kind, transaction_id)))
        return TransactionStatus(
            str(_first(body, ep.V2_TRANSACTION_ID_FIELDS, transaction_id)),
            str(_first(body, ep.V2_STATUS_FIELDS, "")).strip().lower(),
            tuple(str(m) for m in body.get(ep.V2_MESSAGES) or ()),
            str(body.get(ep.V2_SUBMITTED_AT, "")),
        )

    def wait(self, kind, transaction_id, *, interval=None, timeout=None) -> TransactionStatus:
        """Poll until the transaction settles; past the timeout return the last status seen
        (still not final), so that a task can come back for it later."""
        interval = self.poll_interval if interval is None else interval
        deadline = time.monotonic() + (self.poll_timeout if timeout is None else timeout)
        while True:
            current = self.status(kind, transaction_id)
            if current.final or time.monotonic() >= deadline:
                return current
            time.sleep(interval)

    def push(self, kind, document) -> PushResult:
        transaction_id = self.submit(kind, document)
        settled = self.wait(kind, transaction_id)
        if settled.status in (ep.REJECTED, ep.ERROR):
            raise Rejected("; ".join(settled.messages) or settled.status, record_id=transaction_id)
        return PushResult(kind, transaction_id, settled.status, settled.messages)

    def drugs(self, *, page=1, page_size=50, search="") -> dict:
        params = {"page": page, "page_size": page_size}
        if search:
            params["search"] = search
        return self._checked(self._call("GET", ep.V2_DRUGS_PATH, params=params))

    def drug(self, drug_id) -> dict:
        return self._checked(self._call("GET", ep.v2_drug_path(drug_id)))
