"""The simulator's command-line options, shared by the management command and
``python -m provisioning.national.simulator``."""

import logging

from .. import endpoints as ep
from .faults import FAULTS
from .server import DIALECTS, SimulatorConfig, SimulatorServer

logger = logging.getLogger("provisioning.national.simulator")


def default_port(dialect):
    return 8702 if dialect == ep.V2 else 8701


def add_arguments(parser):
    parser.add_argument("--dialect", choices=DIALECTS, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, help="8701 for legacy, 8702 for v2 by default")
    parser.add_argument("--db", help="SQLite file shared with the other simulator commands")
    parser.add_argument("--token-lifetime", type=int, default=86400, help="v2, seconds")
    parser.add_argument("--legacy-token-lifetime", type=float, default=12 * 3600.0)
    parser.add_argument("--error-style", choices=("body", "status"), default="body")
    parser.add_argument("--fault", choices=FAULTS, help="a standing fault, e.g. 5xx")
    parser.add_argument("--fault-rate", type=float, default=1.0)
    parser.add_argument("--slow-seconds", type=float, default=2.0)
    parser.add_argument("--seed", type=int)


def serve(options, db_path):
    """Run in the foreground until interrupted."""
    config = SimulatorConfig(
        dialect=options["dialect"],
        token_lifetime=options["token_lifetime"],
        legacy_token_lifetime=options["legacy_token_lifetime"],
        error_style=options["error_style"],
        fault=options["fault"],
        fault_rate=options["fault_rate"],
        slow_seconds=options["slow_seconds"],
        seed=options["seed"],
    )
    port = options["port"] or default_port(options["dialect"])
    server = SimulatorServer((options["host"], port), db_path, config)
    prefix = ep.V2_PREFIX if options["dialect"] == ep.V2 else ""
    logger.warning(
        "National simulator (%s) on %s%s, data in %s",
        options["dialect"],
        server.base_url,
        prefix,
        db_path,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
