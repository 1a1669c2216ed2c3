"""What a dialect's view receives, what it may return besides JSON, and the token check
every data view starts with."""

import functools
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from .faults import ERROR_STYLE_HEADER, FIELD_NAMES_HEADER, ID_PLACE_HEADER, STATUS_CASE_HEADER
from .store import Store


class BadRequest(Exception):
    pass


@dataclass(frozen=True)
class Response:
    """A reply that is not JSON. Views return ``(status, payload)`` for JSON, or one of these."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple = ()  # extra (name, value) pairs

    @classmethod
    def html(cls, text, status=200):
        return cls(status, text.encode("utf-8"), "text/html; charset=utf-8")

    @classmethod
    def redirect(cls, location, status=303):
        return cls(status, headers=(("Location", location),))


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: object
    body: bytes
    fault: str | None
    config: object
    store: Store
    switch: object  # the server's FaultSwitch
    params: dict = field(default_factory=dict)

    def json(self):
        try:
            value = json.loads(self.body or b"null")
        except ValueError as exc:
            raise BadRequest("body is not JSON") from exc
        if not isinstance(value, dict):
            raise BadRequest("body must be a JSON object")
        return value

    def form(self):
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {name: values[-1] for name, values in parsed.items()}

    def arg(self, name, default=""):
        return self.query.get(name, [default])[-1]

    def bearer(self):
        scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
        return token.strip() if scheme.lower() == "bearer" else ""

    @property
    def error_style(self):
        return (self.headers.get(ERROR_STYLE_HEADER) or self.config.error_style).lower()

    @property
    def status_case(self):
        return (self.headers.get(STATUS_CASE_HEADER) or self.config.status_case).lower()

    @property
    def id_place(self):
        return (self.headers.get(ID_PLACE_HEADER) or "top").lower()

    @property
    def alternate_names(self):
        return (self.headers.get(FIELD_NAMES_HEADER) or "").lower() == "alternate"


def authenticated(authenticate):
    """Run ``authenticate(request) -> (account, refusal)`` first; the view gets the account."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, **params):
            account, refusal = authenticate(request)
            return refusal if refusal else view(request, account, **params)

        return wrapper

    return decorate
