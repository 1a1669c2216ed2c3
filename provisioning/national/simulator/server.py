"""The HTTP side of the simulator: a threading server, routing, faults and the request log.

Standard library only, so the simulator runs with or without Django.
"""

import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .. import endpoints as ep
from . import admin_api, legacy_api, v2_api
from .faults import DELAY_HEADER, DROP, FAULT_HEADER, SERVER_ERROR, SLOW, FaultRule, FaultSwitch
from .request import BadRequest, Request, Response
from .store import Store

logger = logging.getLogger("provisioning.national.simulator")

DIALECTS = (ep.LEGACY, ep.V2, "both")


@dataclass
class SimulatorConfig:
    dialect: str = "both"
    token_lifetime: int = 86400  # v2 access tokens, in whole seconds as the real expires_in
    refresh_lifetime: int = 30 * 86400
    legacy_token_lifetime: float = 12 * 3600.0  # unknown on the real system
    slow_seconds: float = 2.0
    error_style: str = "body"  # how legacy refuses: HTTP 200 + code, or an HTTP 4xx
    status_case: str = "lower"
    fault: str | None = None
    fault_rate: float = 1.0
    seed: int | None = None

    def __post_init__(self):
        if self.dialect not in DIALECTS:
            raise ValueError(f"dialect must be one of {DIALECTS}")


@dataclass(frozen=True)
class Route:
    dialect: str
    method: str
    pattern: re.Pattern
    view: object


def build_routes(dialect):
    routes = [Route("admin", m, re.compile(p), v) for m, p, v in admin_api.ROUTES]
    if dialect in (ep.LEGACY, "both"):
        routes += [Route(ep.LEGACY, m, re.compile(p), v) for m, p, v in legacy_api.ROUTES]
    if dialect in (ep.V2, "both"):
        routes += [
            Route(ep.V2, m, re.compile(re.escape(ep.V2_PREFIX) + p), v) for m, p, v in v2_api.ROUTES
        ]
    return routes


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, db_path, config=None):
        self.config = config or SimulatorConfig()
        self.store = Store(db_path)
        self.routes = build_routes(self.config.dialect)
        rule = FaultRule(self.config.fault, self.config.fault_rate) if self.config.fault else None
        self.faults = FaultSwitch(rule, seed=self.config.seed)
        super().__init__(address, Handler)

    @property
    def base_url(self):
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def match(self, method, path):
        for route in self.routes:
            found = route.pattern.fullmatch(path)
            if found and route.method == method:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
        return None, {}


def as_response(reply):
    """A view's ``(status, payload)`` as JSON; a view's own Response as it is."""
    if isinstance(reply, Response):
        return reply
    status, payload = reply
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status, data, "application/json; charset=utf-8")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "NationalSimulator/1.0"
    timeout = 30  # idle keep-alive connections end instead of holding a thread forever
    # Headers and body leave in two writes; without this, Nagle and delayed ACKs add 40 ms
    # to every answer on a kept-alive connection.
    disable_nagle_algorithm = True

    def do_GET(self):
        self._handle()

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, fmt, *args):
        # The request line holds no secret; bodies and headers are never logged.
        logger.debug("%s %s", self.address_string(), fmt % args)

    def _handle(self):
        server = self.server
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        route, params = server.match(self.command, parts.path)
        dialect = route.dialect if route else "none"
        fault = None
        if route and route.dialect != "admin":
            fault = server.faults.pick(self.headers.get(FAULT_HEADER), parts.path)
        if fault == DROP:
            # Hang up without a word, as a crashed gateway or a cut connection would.
            self.close_connection = True
            server.store.log_request(
                dialect=dialect, method=self.command, path=parts.path, fault=fault, status=0
            )
            return
        if fault == SLOW:
            time.sleep(float(self.headers.get(DELAY_HEADER) or server.config.slow_seconds))
        if route is None:
            reply = 404, {"code": "404", "message": "Not found"}
        elif fault == SERVER_ERROR:
            reply = 503, {"code": "503", "message": "Service Unavailable"}
        else:
            request = Request(
                self.command,
                parts.path,
                parse_qs(parts.query),
                self.headers,
                body,
                fault,
                server.config,
                server.store,
                server.faults,
                params,
            )
            try:
                reply = route.view(request, **params)
            except BadRequest as exc:
                reply = 400, {"code": "400", "error": "bad_request", "message": str(exc)}
        response = as_response(reply)
        self._send(response)
        server.store.log_request(
            dialect=dialect,
            method=self.command,
            path=parts.path,
            fault=fault or "",
            status=response.status,
        )

    def _send(self, response):
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a timeout on a slow answer): nothing left to tell it.
            self.close_connection = True


def start_simulator(dialect, db_path, port=0, *, host="127.0.0.1", **options):
    """Serve in a background thread; returns (server, base_url). The v2 base URL carries
    its /v2 prefix. Stop with ``server.shutdown(); server.server_close()``."""
    server = SimulatorServer((host, port), db_path, SimulatorConfig(dialect=dialect, **options))
    # A short poll makes shutdown() quick, which matters to a test suite starting dozens.
    thread = threading.Thread(
        target=server.serve_forever, args=(0.01,), name="national-simulator", daemon=True
    )
    thread.start()
    base_url = server.base_url + (ep.V2_PREFIX if dialect == ep.V2 else "")
    return server, base_url
