"""A province's pharmacies pushing receipts and sales, played through the simulator.

Most pharmacies push every day, some only now and then, some stop after a while, some stop
and come back, and the pharmacies behind one vendor account go quiet together and come
back together (a vendor outage): the patterns the portal's sync tracking has to tell
apart. Everything is drawn from one seeded random generator, so a seed gives the same
province every time; counts and time are bounded so a demo cannot run away.
"""

import logging
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import httpx

from . import endpoints as ep
from .client import client_for, system_config
from .conf import setting
from .errors import NationalError
from .simulator.catalogue import DRUGS
from .transport import RetryPolicy

logger = logging.getLogger("provisioning.national.traffic")

VN_TZ = timezone(timedelta(hours=7))
DAILY, IRREGULAR, GOES_SILENT = "daily", "irregular", "goes_silent"
RECOVERS, VENDOR_OUTAGE = "recovers", "vendor_outage"
IRREGULAR_SHARE, SILENT_SHARE, RECOVERS_SHARE = 0.25, 0.15, 0.15
IRREGULAR_DAY_CHANCE = 0.35  # an irregular pharmacy sends on about one day in three
RECEIPT_EVERY_DAYS = 7
OPENS_AT = 7  # o'clock
OPENING, RECEIPT, SALE = "opening", "receipt", "sale"
SUPPLIERS = (
    "Công ty CP Dược Hậu Giang",
    "Công ty CP Dược phẩm Imexpharm",
    "Công ty TNHH Phân phối Dược phẩm Phú Thọ",
    "Công ty CP Dược - Vật tư y tế Phú Thọ",
)
SELLERS = ("Nguyễn Thị Hoa", "Trần Văn Minh", "Lê Thị Thu", "Phạm Quốc Bảo")
PHARMACY_NAMES = (
    "Minh Châu",
    "Hồng Nhung",
    "An Khang",
    "Phúc Thịnh",
    "Bảo Ngọc",
    "Thanh Tâm",
    "Hòa Bình",
    "Tâm Đức",
    "Kim Liên",
    "Trường Sinh",
)


@dataclass(frozen=True)
class Credentials:
    facility_code: str
    username: str
    password: str
    facility_name: str = ""


@dataclass(frozen=True)
class Pharmacy:
    credentials: Credentials
    pattern: str
    silent_from: int | None = None  # the first day (0-based) it sends nothing
    silent_until: int | None = None  # the day it sends again; None: it never does

    @property
    def facility_code(self):
        return self.credentials.facility_code

    def silent_on(self, day_index):
        if self.silent_from is None or day_index < self.silent_from:
            return False
        return self.silent_until is None or day_index < self.silent_until


@dataclass(frozen=True)
class PlannedPush:
    day: date
    pharmacy: Pharmacy
    what: str  # OPENING, RECEIPT or SALE
    reference: str
    lines: tuple


@dataclass
class TrafficReport:
    dialect: str
    pharmacies: list
    planned: int = 0
    sent: int = 0
    outcomes: Counter = field(default_factory=Counter)  # "ok" or a failure reason
    stopped_early: bool = False

    def summary(self):
        patterns = Counter(p.pattern for p in self.pharmacies)
        return (
            f"{len(self.pharmacies)} pharmacies ({dict(patterns)}), {self.sent} of "
            f"{self.planned} pushes sent: {dict(self.outcomes)}"
            + (" — stopped at the limit" if self.stopped_early else "")
        )


def make_credentials(count, *, dialect, rng, province_code, vendor_share=0.0):
    """Facility codes PP-NNNNNN with usernames shaped as each system's were seen; a share
    of the facilities can sit behind one vendor account."""
    numbers = rng.sample(range(1, 1_000_000), count)
    vendor_count = round(count * vendor_share)
    vendor_user = _username(dialect, rng, province_code, "vendor")
    vendor_password = _password(rng)
    result = []
    for index, number in enumerate(numbers):
        code = f"{province_code:02d}-{number:06d}"
        name = f"Nhà thuốc {PHARMACY_NAMES[index % len(PHARMACY_NAMES)]}"
        if index >= len(PHARMACY_NAMES):
            name += f" {index // len(PHARMACY_NAMES) + 1}"
        if index < vendor_count:
            result.append(Credentials(code, vendor_user, vendor_password, name))
        else:
            username = _username(dialect, rng, province_code, number)
            result.append(Credentials(code, username, _password(rng), name))
    return result


def _username(dialect, rng, province_code, number):
    if dialect == ep.V2:
        return f"{rng.randrange(10**11, 10**12)}"  # a 12-digit personal identifier
    suffix = number if isinstance(number, str) else f"{number:06d}"
    return f"gpp_{province_code:02d}_{suffix}_{rng.randrange(10**6):06d}"


def _password(rng):
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    return "".join(rng.choice(alphabet) for _ in range(10)) + "#9"


def assign_patterns(credentials, *, rng, days):
    """The pharmacies behind the first vendor account (a username holding several codes) go
    quiet together for a while and come back together. Of the others, shares are
    irregular, go silent for good, or go silent and recover, at least one of each when
    there are enough pharmacies, so every demo shows every pattern. Every pharmacy sends
    on day 0, its opening day."""
    vendor = _first_vendor(credentials)
    own = [index for index, creds in enumerate(credentials) if creds.username != vendor]
    count = len(own)
    silent = max(1, round(count * SILENT_SHARE)) if count >= 3 else 0
    recovers = max(1, round(count * RECOVERS_SHARE)) if count >= 4 else 0
    irregular = max(1, round(count * IRREGULAR_SHARE)) if count >= 2 else 0
    patterns = [GOES_SILENT] * silent + [RECOVERS] * recovers + [IRREGULAR] * irregular
    patterns += [DAILY] * (count - len(patterns))
    rng.shuffle(patterns)
    pattern_of = dict(zip(own, patterns, strict=True))
    outage = _silence(VENDOR_OUTAGE, rng, days) if vendor else None
    pharmacies = []
    for index, creds in enumerate(credentials):
        if creds.username == vendor:
            pharmacies.append(Pharmacy(creds, VENDOR_OUTAGE, *outage))
        else:
            pattern = pattern_of[index]
            pharmacies.append(Pharmacy(creds, pattern, *_silence(pattern, rng, days)))
    return pharmacies


def _first_vendor(credentials):
    codes = Counter(creds.username for creds in credentials)
    return next((creds.username for creds in credentials if codes[creds.username] > 1), None)


def _silence(pattern, rng, days):
    """(silent_from, silent_until) for the pattern, as days of the horizon."""
    third = max(1, days // 3)
    if pattern == GOES_SILENT:
        return rng.randint(third, max(1, (2 * days) // 3)), None
    if pattern == RECOVERS:
        start = rng.randint(1, third)
        return start, start + rng.randint(2, max(2, third))
    if pattern == VENDOR_OUTAGE:
        start = rng.randint(third, max(third, days // 2))
        return start, start + max(2, days // 4)
    return None, None


def _lines(rng, day, what, sales_size=3):
    count = rng.randint(3, 6) if what != SALE else rng.randint(1, sales_size)
    lines = []
    for drug in rng.sample(DRUGS, count):
        made = day - timedelta(days=rng.randint(30, 400))
        quantity = rng.randint(50, 500) if what != SALE else rng.randint(1, 20)
        price = drug.price if what == SALE else round(drug.price * 0.8)
        lines.append(
            ep.Line.of(
                drug,
                batch=f"{made:%y%m}{rng.randrange(1000):03d}",
                manufactured=made,
                expiry=made + timedelta(days=365 * rng.randint(2, 3)),
                quantity=quantity,
                price=price,
            )
        )
    return tuple(lines)


def _sends_on(pharmacy, day_index, rng):
    if pharmacy.silent_on(day_index):
        return False
    if pharmacy.pattern == IRREGULAR and day_index > 0:
        return rng.random() < IRREGULAR_DAY_CHANCE
    return True


def plan_traffic(pharmacies, *, days, start, rng, sales_per_day=3):
    """Every push, in the order they happen: day by day, pharmacy by pharmacy."""
    planned = []
    for day_index in range(days):
        day = start + timedelta(days=day_index)
        planned += plan_day(
            pharmacies, day_index=day_index, day=day, rng=rng, sales_per_day=sales_per_day
        )
    return planned


def plan_day(pharmacies, *, day_index, day, rng, sales_per_day=3, stamp=None):
    """One day's pushes, pharmacy by pharmacy. References carry ``stamp`` (the date by
    default), so that two plays of the same date need a different one to stay distinct."""
    planned = []
    stamp = stamp or f"{day:%Y%m%d}"
    for number, pharmacy in enumerate(pharmacies):
        if not _sends_on(pharmacy, day_index, rng):
            continue
        if day_index == 0:
            planned.append(
                PlannedPush(day, pharmacy, OPENING, f"PN{stamp}00", _lines(rng, day, OPENING))
            )
        elif (day_index + number) % RECEIPT_EVERY_DAYS == 0:
            planned.append(
                PlannedPush(day, pharmacy, RECEIPT, f"PN{stamp}01", _lines(rng, day, RECEIPT))
            )
        for sale in range(rng.randint(1, sales_per_day)):
            planned.append(
                PlannedPush(day, pharmacy, SALE, f"HD{stamp}{sale:03d}", _lines(rng, day, SALE))
            )
    return planned


def document_for(dialect, push, rng):
    """(kind, payload) in the dialect's own words."""
    code, day = push.pharmacy.facility_code, push.day
    if dialect == ep.LEGACY:
        if push.what == SALE:
            return "hoa_don", ep.legacy_invoice(
                facility_code=code,
                invoice_id=push.reference,
                day=day,
                lines=push.lines,
                seller=rng.choice(SELLERS),
                customer="Khách lẻ",
            )
        kind = ep.RECEIPT_OPENING_STOCK if push.what == OPENING else ep.RECEIPT_FROM_SUPPLIER
        return "phieu_nhap", ep.legacy_receipt(
            facility_code=code,
            receipt_id=push.reference,
            day=day,
            lines=push.lines,
            kind=kind,
            supplier="" if push.what == OPENING else rng.choice(SUPPLIERS),
        )
    # The opening balance is dated when the pharmacy opens, everything else after it: the
    # system refuses a stock-out dated before the facility's opening balance.
    hour, minute = (
        (OPENS_AT, 0)
        if push.what == OPENING
        else (rng.randint(OPENS_AT + 1, 21), rng.randint(0, 59))
    )
    when = datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN_TZ)
    if push.what == SALE:
        kind, reason = ep.STOCK_OUT, ep.SALE_RETAIL
    else:
        kind, reason = ep.STOCK_IN, ep.OPENING_BALANCE if push.what == OPENING else "supplier"
    return kind, ep.v2_transaction(
        facility_code=code, reference=push.reference, when=when, reason=reason, lines=push.lines
    )


def simulator_root(base_url):
    """The simulator's own address: the v2 base URL carries the /v2 prefix."""
    base_url = base_url.rstrip("/")
    return base_url.removesuffix(ep.V2_PREFIX)


def create_accounts(dialect, base_url, credentials):
    """Register the accounts on a running simulator, vendor accounts with all their codes,
    and the pharmacies' names for its activity export."""
    by_user = {}
    for creds in credentials:
        by_user.setdefault((creds.username, creds.password), []).append(creds)
    with httpx.Client(base_url=simulator_root(base_url), timeout=10) as http:
        for (username, password), held in by_user.items():
            http.post(
                "/_simulator/accounts",
                json={
                    "dialect": dialect,
                    "username": username,
                    "password": password,
                    "facility_codes": [creds.facility_code for creds in held],
                    "facility_names": {c.facility_code: c.facility_name for c in held},
                },
            ).raise_for_status()


class SyncReporter:
    """Tells the portal about every push, as vendor software would: POST
    /api/v1/sync-reports with the vendor's key, in batches. ``api_key`` serves every
    facility; ``keys`` ({facility code: key}) gives each facility its own vendor's key (a
    push with no key is not reported). The portal being down, slow or refusing never stops
    the traffic: a batch that did not get through stays queued and is sent again at the
    next flush (at most ``max_pending`` reports are kept, the oldest dropped first); a batch
    the portal answered 4xx (other than 429) is dropped and logged, since sending it again
    cannot help."""

    LIMIT = 1000  # the API's reports per call

    def __init__(
        self,
        url,
        api_key=None,
        *,
        keys=None,
        batch_size=200,
        timeout=10.0,
        max_pending=100_000,
        transport=None,
    ):
        self.url = url
        self.api_key, self.keys = api_key, keys or {}
        self.batch_size = min(batch_size, self.LIMIT)
        self.max_pending = max_pending
        self.queues = {}  # key → reports waiting
        self.counts = Counter()  # accepted, duplicates, rejected, dropped, no_key, failed_calls
        self._http = httpx.Client(timeout=timeout, transport=transport)

    @property
    def pending(self):
        return [report for queue in self.queues.values() for report in queue]

    def add(self, *, facility_code, system, kind, national_id, pushed_at):
        key = self.keys.get(facility_code, self.api_key)
        if not key:
            self.counts["no_key"] += 1
            return
        queue = self.queues.setdefault(key, [])
        queue.append(
            {
                "facility_code": facility_code,
                "system": system,
                "kind": kind,
                "national_id": national_id,
                "pushed_at": pushed_at.isoformat(),
            }
        )
        if len(queue) > self.max_pending:
            dropped = len(queue) - self.max_pending
            del queue[:dropped]
            self.counts["dropped"] += dropped
        if len(queue) >= self.batch_size:
            self._send(key, queue)

    def flush(self):
        """Send what is queued; returns True when nothing is left."""
        return all([self._send(key, queue) for key, queue in self.queues.items()])

    def _send(self, key, queue):
        while queue:
            batch = queue[: self.batch_size]
            try:
                answer = self._http.post(
                    self.url, json={"reports": batch}, headers={"Authorization": f"Bearer {key}"}
                )
            except httpx.HTTPError as error:
                return self._retry_later(f"{type(error).__name__}: {error}", len(queue))
            if answer.status_code == 429 or answer.status_code >= 500:
                return self._retry_later(f"HTTP {answer.status_code}", len(queue))
            del queue[: len(batch)]
            if answer.status_code != 200:
                self.counts["dropped"] += len(batch)
                logger.error(
                    "sync reports refused (HTTP %s): %s", answer.status_code, answer.text[:200]
                )
                continue
            try:
                body = answer.json()
            except ValueError:
                body = {}
            self.counts["accepted"] += body.get("accepted", 0)
            self.counts["duplicates"] += body.get("duplicates", 0)
            self.counts["rejected"] += len(body.get("rejected", ()))
            for rejected in body.get("rejected", ())[:3]:
                logger.warning("sync report rejected: %s", rejected)
        return True

    def _retry_later(self, why, waiting):
        self.counts["failed_calls"] += 1
        logger.warning("portal unreachable (%s); %d reports kept for later", why, waiting)
        return False

    def close(self):
        self.flush()
        self._http.close()

    def summary(self):
        return f"sync reports: {dict(self.counts)}, {len(self.pending)} pending"


def read_report_keys(path):
    """{facility code: key} from a CSV file of `facility_code,key` lines."""
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return {row[0].strip(): row[1].strip() for row in csv.reader(handle) if len(row) >= 2}


class Pusher:
    """Sends planned pushes, one client (one session) per account, kept across days."""

    def __init__(self, dialect, base_url, *, policy=None, reporter=None):
        self.dialect = dialect
        self.base_url = base_url
        self.reporter = reporter
        self.policy = policy or RetryPolicy(timeout=10, retries=2, backoff=0.2)
        self._clients = {}

    def close(self):
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def _client(self, creds):
        client = self._clients.get(creds.username)
        if client is None:
            client = self._clients[creds.username] = client_for(
                self.dialect,
                self.base_url,
                username=creds.username,
                password=creds.password,
                policy=self.policy,
                **({"poll_interval": 0.01} if self.dialect == ep.V2 else {}),
            )
        return client

    def play(self, planned, report, rng, *, max_pushes, deadline=None, stop=None):
        """Send ``planned`` in order into ``report``; stops early at the push limit, the
        deadline (a ``time.monotonic()`` value) or when ``stop`` (an Event) is set."""
        report.planned += len(planned)
        for push in planned:
            out_of_time = deadline is not None and time.monotonic() >= deadline
            if report.sent >= max_pushes or out_of_time or (stop and stop.is_set()):
                report.stopped_early = True
                break
            kind, document = document_for(self.dialect, push, rng)
            report.sent += 1
            try:
                result = self._client(push.pharmacy.credentials).push(kind, document)
            except NationalError as error:
                report.outcomes[error.reason.value] += 1
            else:
                report.outcomes["ok"] += 1
                self._report(push, kind, result)
        if self.reporter:
            self.reporter.flush()
        return report

    def _report(self, push, kind, result):
        if self.reporter and result is not None and result.national_id:
            self.reporter.add(
                facility_code=push.pharmacy.facility_code,
                system=self.dialect,
                kind=kind,
                national_id=result.national_id,
                pushed_at=datetime.now(VN_TZ),
            )


def run_traffic(
    *,
    dialect,
    base_url=None,
    facilities=10,
    days=14,
    seed=0,
    start=None,
    create=True,
    vendor_share=0.0,
    sales_per_day=3,
    max_pushes=5000,
    max_seconds=300.0,
    policy=None,
    reporter=None,
):
    """Play the traffic and return a report.

    ``facilities`` is a number (accounts are made up, and created on the simulator when
    ``create``) or a list of Credentials to use as they are.
    """
    rng = random.Random(seed)
    base_url = base_url or system_config(dialect)["base_url"]
    credentials = _credentials(facilities, dialect, rng, vendor_share)
    if create:
        create_accounts(dialect, base_url, credentials)
    start = start or datetime.now(VN_TZ).date() - timedelta(days=days)
    pharmacies = assign_patterns(credentials, rng=rng, days=days)
    planned = plan_traffic(pharmacies, days=days, start=start, rng=rng, sales_per_day=sales_per_day)
    report = TrafficReport(dialect, pharmacies)
    pusher = Pusher(dialect, base_url, policy=policy, reporter=reporter)
    try:
        pusher.play(
            planned, report, rng, max_pushes=max_pushes, deadline=time.monotonic() + max_seconds
        )
    finally:
        pusher.close()
    logger.info("national traffic: %s", report.summary())
    return report


def _credentials(facilities, dialect, rng, vendor_share):
    if isinstance(facilities, int):
        province = int(setting("PORTAL_PROVINCE_CODES", [24])[0])
        return make_credentials(
            facilities, dialect=dialect, rng=rng, province_code=province, vendor_share=vendor_share
        )
    return list(facilities)


def simulator_credentials(dialect, db_path=None):
    """The accounts a simulator already holds (those the demo seed put there), one entry
    per facility code; locked accounts are left out."""
    from .simulator import Store, default_db_path

    store = Store(db_path or default_db_path())
    names = store.facility_names()
    return [
        Credentials(code, account.username, account.password, names.get(code, ""))
        for account in store.accounts(dialect)
        if not account.locked
        for code in account.facility_codes
    ]


def run_traffic_forever(
    *,
    dialect,
    base_url=None,
    facilities=10,
    interval=60.0,
    seed=0,
    create=True,
    vendor_share=0.0,
    sales_per_day=3,
    horizon_days=14,
    max_pushes=5000,
    stop=None,
    rounds=None,
    on_round=None,
    policy=None,
    reporter=None,
):
    """Play one day of traffic every ``interval`` seconds until ``stop`` is set (or after
    ``rounds`` days, for tests); returns the number of days played.

    Day n of the patterns is played with today's real date, so the national side sees
    pushes arriving now; references carry the moment the day started (to the
    microsecond), so plays never collide. The patterns' days fall within ``horizon_days``:
    pharmacies that go silent do so between day ``horizon_days // 3`` and
    ``2 * horizon_days // 3`` and stay silent; those that recover, and a vendor's
    pharmacies, are back before a horizon of a week or more ends. ``facilities``
    may also be a callable returning Credentials: it is asked again each interval until
    it gives some (the simulator may not hold any account yet). ``on_round(number,
    report)`` is called after each round.
    """
    stop = stop or threading.Event()
    rng = random.Random(seed)
    base_url = base_url or system_config(dialect)["base_url"]
    pusher = Pusher(dialect, base_url, policy=policy, reporter=reporter)
    pharmacies, played = None, 0
    try:
        while not stop.is_set() and (rounds is None or played < rounds):
            if pharmacies is None:
                found = facilities() if callable(facilities) else facilities
                credentials = _credentials(found, dialect, rng, vendor_share)
                if credentials:
                    if create:
                        create_accounts(dialect, base_url, credentials)
                    pharmacies = assign_patterns(credentials, rng=rng, days=horizon_days)
            report = TrafficReport(dialect, pharmacies or [])
            if pharmacies:
                now = datetime.now(VN_TZ)
                planned = plan_day(
                    pharmacies,
                    day_index=played,
                    day=now.date(),
                    rng=rng,
                    sales_per_day=sales_per_day,
                    stamp=f"{now:%Y%m%d%H%M%S%f}",
                )
                pusher.play(planned, report, rng, max_pushes=max_pushes, stop=stop)
                played += 1
            logger.debug("national traffic, day %d: %s", played, report.summary())
            if on_round:
                on_round(played, report)
            if rounds is not None and played >= rounds:
                break
            stop.wait(interval)
    finally:
        pusher.close()
    return played
