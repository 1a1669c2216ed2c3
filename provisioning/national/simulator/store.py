"""The simulator's memory: accounts, tokens, records, transactions and the push log, in one
SQLite file so that several server processes and the management commands share it."""

import json
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    dialect TEXT NOT NULL, username TEXT NOT NULL, password TEXT NOT NULL,
    locked INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL,
    PRIMARY KEY (dialect, username));
CREATE TABLE IF NOT EXISTS account_facilities (
    dialect TEXT NOT NULL, username TEXT NOT NULL, facility_code TEXT NOT NULL,
    PRIMARY KEY (dialect, username, facility_code));
CREATE TABLE IF NOT EXISTS facility_names (
    facility_code TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, dialect TEXT NOT NULL, username TEXT NOT NULL,
    kind TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, facility_code TEXT NOT NULL, record_id TEXT NOT NULL,
    national_id TEXT NOT NULL, payload TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, facility_code, record_id));
CREATE TABLE IF NOT EXISTS facility_drugs (
    facility_code TEXT NOT NULL, drug_code TEXT NOT NULL, payload TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (facility_code, drug_code));
CREATE TABLE IF NOT EXISTS transactions (
    transaction_id TEXT PRIMARY KEY, kind TEXT NOT NULL, facility_code TEXT NOT NULL,
    username TEXT NOT NULL, reason TEXT NOT NULL, reference TEXT NOT NULL,
    payload TEXT NOT NULL, outcome TEXT NOT NULL, messages TEXT NOT NULL,
    polls INTEGER NOT NULL DEFAULT 0, submitted_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pushes (
    id INTEGER PRIMARY KEY AUTOINCREMENT, received_at TEXT NOT NULL, dialect TEXT NOT NULL,
    facility_code TEXT NOT NULL, kind TEXT NOT NULL, action TEXT NOT NULL,
    ok INTEGER NOT NULL, message TEXT NOT NULL, username TEXT NOT NULL,
    record_id TEXT NOT NULL, national_id TEXT NOT NULL, document_date TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS pushes_facility ON pushes (facility_code);
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, dialect TEXT NOT NULL,
    method TEXT NOT NULL, path TEXT NOT NULL, fault TEXT NOT NULL, status INTEGER NOT NULL);
"""


def now_iso():
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Account:
    dialect: str
    username: str
    password: str
    locked: bool
    facility_codes: tuple

    def public(self):
        """What the simulator shows over HTTP: never the password."""
        return {
            "dialect": self.dialect,
            "username": self.username,
            "locked": self.locked,
            "facility_codes": list(self.facility_codes),
        }


class Store:
    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        db = self._connect()
        # WAL lets the server's threads and other processes read while one writes.
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)

    def _connect(self):
        """This thread's connection, opened once: opening one per query, and the checkpoint
        SQLite runs when the last connection closes, made every answer ten times slower."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            # A simulator may lose its last writes in a power cut; it must not be slow.
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    @contextmanager
    def atomic(self):
        """One write transaction, taken at once so check-then-insert cannot race."""
        db = self._connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _read(self, sql, params=()):
        return self._connect().execute(sql, params).fetchall()

    # --- accounts and tokens ---

    def ensure_account(
        self, dialect, username, password, facility_codes=(), locked=False, facility_names=None
    ):
        """Create or update; facility codes are added to those the account already has.
        ``facility_names`` maps codes to the names the activity export shows."""
        with self.atomic() as db:
            db.execute(
                "INSERT INTO accounts (dialect, username, password, locked, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (dialect, username)"
                " DO UPDATE SET password = excluded.password, locked = excluded.locked",
                (dialect, username, password, int(locked), now_iso()),
            )
            db.executemany(
                "INSERT OR IGNORE INTO account_facilities VALUES (?, ?, ?)",
                [(dialect, username, code) for code in facility_codes],
            )
            db.executemany(
                "INSERT INTO facility_names VALUES (?, ?)"
                " ON CONFLICT (facility_code) DO UPDATE SET name = excluded.name",
                [(code, name) for code, name in (facility_names or {}).items() if name],
            )
        return self.account(dialect, username)

    def facility_names(self):
        return {
            row["facility_code"]: row["name"] for row in self._read("SELECT * FROM facility_names")
        }

    def account(self, dialect, username):
        rows = self._read(
            "SELECT * FROM accounts WHERE dialect = ? AND username = ?", (dialect, username)
        )
        return self._account(rows[0]) if rows else None

    def _account(self, row):
        codes = self._read(
            "SELECT facility_code FROM account_facilities WHERE dialect = ? AND username = ?"
            " ORDER BY facility_code",
            (row["dialect"], row["username"]),
        )
        return Account(
            row["dialect"],
            row["username"],
            row["password"],
            bool(row["locked"]),
            tuple(r["facility_code"] for r in codes),
        )

    def accounts(self, dialect=None):
        sql, params = "SELECT * FROM accounts", ()
        if dialect:
            sql, params = sql + " WHERE dialect = ?", (dialect,)
        return [self._account(row) for row in self._read(sql + " ORDER BY username", params)]

    def latest_accounts(self, dialects, limit):
        """(how many accounts the dialects hold, the `limit` newest as (account, created_at))."""
        marks = ", ".join("?" for _ in dialects)
        where = f"FROM accounts WHERE dialect IN ({marks})"
        total = self._read(f"SELECT count(*) AS n {where}", tuple(dialects))[0]["n"]
        rows = self._read(
            f"SELECT * {where} ORDER BY created_at DESC, rowid DESC LIMIT ?",
            (*dialects, limit),
        )
        return total, [(self._account(row), row["created_at"]) for row in rows]

    def issue_token(self, dialect, username, kind, lifetime):
        token = secrets.token_urlsafe(32)
        with self.atomic() as db:
            db.execute(
                "INSERT INTO tokens VALUES (?, ?, ?, ?, ?)",
                (token, dialect, username, kind, time.time() + lifetime),
            )
        return token

    def token(self, dialect, token, kind):
        """(username, expired) for a token this dialect issued, else None."""
        rows = self._read(
            "SELECT username, expires_at FROM tokens WHERE token = ? AND dialect = ? AND kind = ?",
            (token, dialect, kind),
        )
        if not rows:
            return None
        return rows[0]["username"], rows[0]["expires_at"] <= time.time()

    def expire_tokens(self, dialect=None):
        with self.atomic() as db:
            if dialect:
                db.execute("UPDATE tokens SET expires_at = 0 WHERE dialect = ?", (dialect,))
            else:
                db.execute("UPDATE tokens SET expires_at = 0")

    # --- legacy records ---

    def record(self, db, kind, facility_code, record_id):
        row = db.execute(
            "SELECT * FROM records WHERE kind = ? AND facility_code = ? AND record_id = ?",
            (kind, facility_code, record_id),
        ).fetchone()
        return row

    def save_record(self, db, kind, facility_code, record_id, national_id, payload):
        db.execute(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?, 0, ?)"
            " ON CONFLICT (kind, facility_code, record_id) DO UPDATE SET"
            " payload = excluded.payload, deleted = 0, updated_at = excluded.updated_at",
            (kind, facility_code, record_id, national_id, json.dumps(payload), now_iso()),
        )

    def delete_record(self, db, kind, facility_code, record_id):
        db.execute(
            "UPDATE records SET deleted = 1, updated_at = ?"
            " WHERE kind = ? AND facility_code = ? AND record_id = ?",
            (now_iso(), kind, facility_code, record_id),
        )

    # --- legacy: the facility's drug list ---

    def facility_drug(self, db, facility_code, drug_code):
        return db.execute(
            "SELECT payload FROM facility_drugs WHERE facility_code = ? AND drug_code = ?",
            (facility_code, drug_code),
        ).fetchone()

    def facility_drugs(self, facility_code, drug_code=""):
        sql = "SELECT payload FROM facility_drugs WHERE facility_code = ?"
        params = [facility_code]
        if drug_code:
            sql, params = sql + " AND drug_code = ?", [*params, drug_code]
        return [
            json.loads(row["payload"]) for row in self._read(sql + " ORDER BY drug_code", params)
        ]

    def save_facility_drug(self, db, facility_code, drug_code, payload):
        db.execute(
            "INSERT INTO facility_drugs VALUES (?, ?, ?, ?) ON CONFLICT (facility_code, drug_code)"
            " DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at",
            (facility_code, drug_code, json.dumps(payload), now_iso()),
        )

    def delete_facility_drug(self, db, facility_code, drug_code):
        db.execute(
            "DELETE FROM facility_drugs WHERE facility_code = ? AND drug_code = ?",
            (facility_code, drug_code),
        )

    # --- v2 transactions ---

    def transaction_by_reference(self, db, kind, facility_code, reference):
        return db.execute(
            "SELECT * FROM transactions WHERE kind = ? AND facility_code = ? AND reference = ?",
            (kind, facility_code, reference),
        ).fetchone()

    def opening_balance_dates(self, db, facility_code):
        """The transaction_date of each completed opening balance of the facility."""
        rows = db.execute(
            "SELECT json_extract(payload, '$.transaction_date') AS day FROM transactions"
            " WHERE facility_code = ? AND kind = 'stock-in' AND reason = 'opening-balance'"
            " AND outcome = 'completed'",
            (facility_code,),
        ).fetchall()
        return [str(row["day"] or "") for row in rows]

    def add_transaction(
        self,
        db,
        *,
        kind,
        facility_code,
        username,
        reason,
        reference,
        payload,
        outcome,
        messages,
        submitted_at,
    ):
        transaction_id = secrets.token_hex(16)
        db.execute(
            "INSERT INTO transactions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
            (
                transaction_id,
                kind,
                facility_code,
                username,
                reason,
                reference,
                json.dumps(payload),
                outcome,
                json.dumps(messages),
                submitted_at,
            ),
        )
        return transaction_id

    def poll_transaction(self, transaction_id, kind, username):
        """Count one poll and return the row as it now stands, or None."""
        with self.atomic() as db:
            return db.execute(
                "UPDATE transactions SET polls = polls + 1"
                " WHERE transaction_id = ? AND kind = ? AND username = ? RETURNING *",
                (transaction_id, kind, username),
            ).fetchone()

    # --- the logs ---

    def record_push(
        self,
        db,
        *,
        dialect,
        facility_code,
        kind,
        action,
        ok,
        message="",
        username="",
        record_id="",
        national_id="",
        document_date="",
    ):
        db.execute(
            "INSERT INTO pushes (received_at, dialect, facility_code, kind, action, ok, message,"
            " username, record_id, national_id, document_date)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                now_iso(),
                dialect,
                facility_code,
                kind,
                action,
                int(ok),
                message,
                username,
                record_id,
                national_id,
                document_date,
            ),
        )

    def accepted_documents(self, dialects):
        """Every document a dialect accepted (a create or a v2 submit), once per push, with
        the v2 transaction's reason."""
        marks = ", ".join("?" for _ in dialects)
        return self._read(
            "SELECT p.dialect, p.facility_code, p.kind, p.record_id, p.national_id,"
            " p.document_date, coalesce(t.reason, '') AS reason FROM pushes p"
            " LEFT JOIN transactions t ON p.dialect = 'v2' AND t.transaction_id = p.national_id"
            f" WHERE p.ok = 1 AND p.action IN ('create', 'submit') AND p.dialect IN ({marks})"
            " ORDER BY p.id",
            tuple(dialects),
        )

    def pushes(self, **filters):
        return self._filtered("pushes", filters, ("facility_code", "dialect", "kind", "username"))

    def log_request(self, *, dialect, method, path, fault, status):
        with self.atomic() as db:
            db.execute(
                "INSERT INTO requests (at, dialect, method, path, fault, status)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (now_iso(), dialect, method, path, fault, status),
            )

    def requests(self, **filters):
        return self._filtered("requests", filters, ("dialect", "method", "path"))

    def _filtered(self, table, filters, allowed):
        clauses, params = [], []
        for name in allowed:
            if filters.get(name):
                clauses.append(f"{name} = ?")
                params.append(filters[name])
        if filters.get("since_id"):
            clauses.append("id > ?")
            params.append(int(filters["since_id"]))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return [
            dict(row) for row in self._read(f"SELECT * FROM {table}{where} ORDER BY id", params)
        ]
