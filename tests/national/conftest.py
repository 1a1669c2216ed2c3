"""A real simulator on a free port, a fresh SQLite file per test, and clients with tiny
back-off so fault tests stay fast. Other test packages may import ``running_simulator``."""

import socket
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

import httpx
import pytest

from provisioning.national import endpoints as ep
from provisioning.national.client import client_for
from provisioning.national.simulator import ensure_account, start_simulator
from provisioning.national.simulator.catalogue import DRUGS_BY_ID
from provisioning.national.traffic import simulator_root
from provisioning.national.transport import RetryPolicy

FAST = RetryPolicy(timeout=2.0, retries=2, backoff=0.01)
PASSWORD = "Mk-Lien7hong!"
FACILITY = "24-008179"
OTHER_FACILITY = "24-000042"
USERNAMES = {"legacy": "gpp_24_008179_000001", "v2": "012345678901"}


@dataclass
class Simulator:
    dialect: str
    server: object
    base_url: str
    db_path: str

    @property
    def root(self):
        return simulator_root(self.base_url)

    def add_account(
        self,
        username,
        password=PASSWORD,
        facility_codes=(FACILITY,),
        locked=False,
        facility_names=None,
        dialect=None,
    ):
        return ensure_account(
            dialect=dialect or self.dialect,
            username=username,
            password=password,
            facility_codes=facility_codes,
            locked=locked,
            facility_names=facility_names,
            db_path=self.db_path,
        )

    def _admin(self, method, path, **kwargs):
        response = httpx.request(method, self.root + "/_simulator" + path, **kwargs)
        response.raise_for_status()
        return response.json()

    def pushes(self, **filters):
        return self._admin("GET", "/pushes", params=filters)["pushes"]

    def requests(self, path, method=None):
        """The requests the simulator received at ``path`` (relative to the base URL)."""
        full = httpx.URL(self.base_url + path).path
        params = {"path": full, **({"method": method} if method else {})}
        return self._admin("GET", "/requests", params=params)["requests"]

    def set_fault(self, fault, **rule):
        return self._admin("POST", "/faults", json={"fault": fault, **rule})

    def clear_faults(self):
        return self._admin("DELETE", "/faults")

    def expire_tokens(self):
        return self._admin("POST", "/expire-tokens")

    def client(self, username=None, password=PASSWORD, **kwargs):
        kwargs.setdefault("policy", FAST)
        if self.dialect == "v2":
            kwargs.setdefault("poll_interval", 0.0)
        return client_for(
            self.dialect,
            self.base_url,
            username=username or USERNAMES[self.dialect],
            password=password,
            **kwargs,
        )


@contextmanager
def running_simulator(dialect, db_path, **options):
    server, base_url = start_simulator(dialect, db_path, **options)
    try:
        yield Simulator(dialect, server, base_url, str(db_path))
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def make_simulator(tmp_path):
    """Start a simulator with options; each gets its own SQLite file."""
    started = []

    def make(dialect, **options):
        manager = running_simulator(dialect, tmp_path / f"sim-{len(started)}.sqlite3", **options)
        started.append(manager)
        return manager.__enter__()

    yield make
    for manager in reversed(started):
        manager.__exit__(None, None, None)


@pytest.fixture(params=["legacy", "v2"])
def sim(request, make_simulator):
    """A simulator of each dialect with one account for FACILITY."""
    simulator = make_simulator(request.param)
    simulator.add_account(USERNAMES[request.param])
    return simulator


@pytest.fixture
def legacy_sim(make_simulator):
    simulator = make_simulator("legacy")
    simulator.add_account(USERNAMES["legacy"])
    return simulator


@pytest.fixture
def v2_sim(make_simulator):
    simulator = make_simulator("v2")
    simulator.add_account(USERNAMES["v2"])
    return simulator


@pytest.fixture
def dead_url():
    """An address where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def a_line(drug_id=1, quantity=10):
    return ep.Line.of(
        DRUGS_BY_ID[drug_id],
        batch="250101",
        manufactured=date(2025, 1, 1),
        expiry=date(2027, 12, 31),
        quantity=quantity,
    )


A_PATIENT = {
    "ma_benh_nhan": "BN000123",
    "ho_ten": "Trần Thị Mai",
    "tuoi": 34,
    "gioi_tinh": ep.FEMALE,
    "dia_chi": "Phường Tân Dân, tỉnh Phú Thọ",
}


def legacy_document(kind, record_id="X0001", facility=FACILITY, day=date(2026, 3, 2), **extra):
    builders = {
        "hoa_don": lambda: ep.legacy_invoice(
            facility_code=facility, invoice_id=record_id, day=day, lines=[a_line()]
        ),
        "phieu_nhap": lambda: ep.legacy_receipt(
            facility_code=facility, receipt_id=record_id, day=day, lines=[a_line()]
        ),
        "phieu_xuat": lambda: ep.legacy_issue(
            facility_code=facility, issue_id=record_id, day=day, lines=[a_line()]
        ),
        "don_thuoc": lambda: ep.legacy_prescription(
            facility_code=facility,
            facility_name="Phòng khám Đa khoa Hùng Vương",
            prescription_id=record_id,
            when=datetime(day.year, day.month, day.day, 9, 30),  # noqa: DTZ001 (a local time)
            lines=[a_line()],
            doctor="BS. Nguyễn Văn An",
            patient=A_PATIENT,
            diagnosis=("J06.9", "Nhiễm trùng hô hấp trên cấp"),
        ),
    }
    return {**builders[kind](), **extra}


def v2_document(reason, reference="R0001", facility=FACILITY, lines=None):
    return ep.v2_transaction(
        facility_code=facility,
        reference=reference,
        when=datetime(2026, 3, 2, 9, tzinfo=UTC),
        reason=reason,
        lines=lines or [a_line()],
    )


def a_push(simulator, client, reference="R0001", facility=FACILITY):
    """One ordinary push in the simulator's dialect (a sale, or an opening balance on v2,
    which needs nothing before it)."""
    if simulator.dialect == "legacy":
        return client.push("hoa_don", legacy_document("hoa_don", reference, facility))
    return client.push("stock-in", v2_document("opening-balance", reference, facility))


def push_path(simulator):
    return "/api/lien_thong/hoa_don" if simulator.dialect == "legacy" else "/transactions/stock-in"


def login_path(simulator):
    return ep.LEGACY_LOGIN_PATH if simulator.dialect == "legacy" else ep.V2_LOGIN_PATH
