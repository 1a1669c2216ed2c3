"""A stand-in for both national systems: a real HTTP server with a SQLite memory.

Run it with ``manage.py run_national_simulator`` or ``python -m
provisioning.national.simulator``; start it inside a test with ``start_simulator``.
"""

from pathlib import Path

from ..conf import setting
from .server import SimulatorConfig, SimulatorServer, start_simulator
from .store import Store

REPO_ROOT = Path(__file__).resolve().parents[3]

__all__ = [
    "SimulatorConfig",
    "SimulatorServer",
    "Store",
    "default_db_path",
    "ensure_account",
    "start_simulator",
]


def default_db_path() -> Path:
    return Path(setting("NATIONAL_SIMULATOR_DB", REPO_ROOT / "var" / "national_simulator.sqlite3"))


def ensure_account(
    *,
    dialect,
    username,
    password,
    facility_codes=(),
    locked=False,
    facility_names=None,
    db_path=None,
):
    """Create or update a simulator account; facility codes are added to its existing
    ones, and ``facility_names`` (code → name) are what the activity export shows. Returns
    the account as the simulator shows it (without the password)."""
    store = Store(db_path or default_db_path())
    account = store.ensure_account(
        dialect, username, password, facility_codes, locked, facility_names
    )
    return account.public()
