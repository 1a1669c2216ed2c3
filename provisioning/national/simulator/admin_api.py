"""Simulator-only endpoints under /_simulator/: what tests and the demo read and switch.

No national system has anything like these; they exist so that a test can ask what the
"national side" received, and turn faults on and off on a running server. The one page
for a person, /_simulator/ itself, stands in for the national account screen (console.py).
"""

from .. import endpoints as ep
from . import activity, console
from .faults import FaultRule
from .request import BadRequest

PREFIX = "/_simulator"
FILTERS = ("facility_code", "dialect", "kind", "username", "method", "path", "since_id")


def _filters(request):
    return {name: request.arg(name) for name in FILTERS if request.arg(name)}


def pushes(request):
    found = request.store.pushes(**_filters(request))
    for push in found:
        push["ok"] = bool(push["ok"])
    return 200, {"count": len(found), "pushes": found}


def requests(request):
    found = request.store.requests(**_filters(request))
    return 200, {"count": len(found), "requests": found}


def accounts(request):
    found = request.store.accounts(request.arg("dialect") or None)
    return 200, {"accounts": [account.public() for account in found]}


def create_account(request):
    body = request.json()
    dialect = body.get("dialect") or request.config.dialect
    if dialect not in ep.SYSTEMS or not body.get("username") or not body.get("password"):
        raise BadRequest("dialect (legacy or v2), username and password are required")
    names = body.get("facility_names") or {}
    if not isinstance(names, dict):
        raise BadRequest("facility_names maps facility codes to names")
    account = request.store.ensure_account(
        dialect,
        body["username"],
        body["password"],
        body.get("facility_codes") or (),
        locked=bool(body.get("locked")),
        facility_names={str(code): str(name) for code, name in names.items()},
    )
    return 200, account.public()


def faults(request):
    server_faults = request.switch
    if request.method == "POST":
        body = request.json()
        try:
            rule = FaultRule(
                fault=str(body.get("fault") or ""),
                rate=float(body.get("rate", 1.0)),
                count=None if body.get("count") is None else int(body["count"]),
                path_prefix=str(body.get("path_prefix") or ""),
            )
        except (TypeError, ValueError) as exc:
            raise BadRequest(str(exc)) from exc
        server_faults.set(rule)
    elif request.method == "DELETE":
        server_faults.set(None)
    return 200, {"fault": server_faults.describe()}


def expire_tokens(request):
    dialect = request.json().get("dialect") if request.body else None
    request.store.expire_tokens(dialect)
    return 200, {"expired": True}


def health(request):
    return 200, {"ok": True, "dialect": request.config.dialect}


ROUTES = [
    ("GET", PREFIX + "/?", console.page),  # the HTML account console, for a browser
    ("POST", PREFIX + "/?", console.create),
    ("GET", PREFIX + "/pushes", pushes),
    ("GET", PREFIX + "/requests", requests),
    ("GET", PREFIX + "/accounts", accounts),
    ("POST", PREFIX + "/accounts", create_account),
    ("GET", PREFIX + "/faults", faults),
    ("POST", PREFIX + "/faults", faults),
    ("DELETE", PREFIX + "/faults", faults),
    ("POST", PREFIX + "/expire-tokens", expire_tokens),
    ("GET", PREFIX + "/health", health),
    ("GET", PREFIX + "/activity.csv", activity.as_csv),
    ("GET", PREFIX + "/activity.xlsx", activity.as_xlsx),
]
