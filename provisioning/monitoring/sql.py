"""The statements the ORM cannot write: an insert that says which rows it inserted, an upsert
that adds to counters, and an update of many rows each with its own values.

On PostgreSQL the rows travel as one array per column (`UNNEST`), as Django's own
bulk_create does there: a few parameters instead of thousands. SQLite (3.35+) gets plain
VALUES lists and executemany.
"""

from django.db import connection

from .models import COUNT_FIELDS, AccountDay, MonitoringState, SyncReport


def _q(name):
    return connection.ops.quote_name(name)


def _prepared(columns, row):
    return [
        field.get_db_prep_save(value, connection) for field, value in zip(columns, row, strict=True)
    ]


def _rows_source(model, fields, rows):
    """(SQL giving `rows` as a relation, its parameters, the quoted column names)."""
    columns = [model._meta.get_field(name) for name in fields]
    prepared = [
        [
            field.get_db_prep_save(value, connection)
            for field, value in zip(columns, row, strict=True)
        ]
        for row in rows
    ]
    names = [_q(field.column) for field in columns]
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{field.cast_db_type(connection)}[]" for field in columns)
        params = [list(values) for values in zip(*prepared, strict=True)]
        return f"SELECT * FROM UNNEST({arrays})", params, names
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # SQLite reads "SELECT … ON CONFLICT" ambiguously; VALUES is what it expects.
    return "VALUES " + ", ".join([row_sql] * len(rows)), [v for row in prepared for v in row], names


def insert_rows(model, fields, rows):
    """Insert many rows of `model` (tuples in the order of `fields`) in one statement, with
    none of bulk_create's per-object work: the sweep writes thousands at a time."""
    if not rows:
        return
    source, params, columns = _rows_source(model, fields, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_q(model._meta.db_table)} ({', '.join(columns)}) {source}", params
        )


def insert_reports(rows):
    """Insert sync reports [(system, national_id, kind, account_id, pushed_at, received_at,
    api_key_id)], skipping those already stored; returns {(system, national_id)} inserted.

    Race: two calls carrying one report at once: the unique index makes the second wait for
    the first and skip the row, so exactly one of them counts it.
    """
    if not rows:
        return set()
    fields = ["system", "national_id", "kind", "account", "pushed_at", "received_at", "api_key"]
    source, params, columns = _rows_source(SyncReport, fields, rows)
    sql = (
        f"INSERT INTO {_q(SyncReport._meta.db_table)} ({', '.join(columns)}) {source} "
        f"ON CONFLICT ({columns[0]}, {columns[1]}) DO NOTHING "
        f"RETURNING {columns[0]}, {columns[1]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(system, national_id) for system, national_id in cursor.fetchall()}


def add_to_days(rows):
    """Add counts to the daily rows, creating them: rows are dicts with account, system, day,
    first_push_at, last_push_at and one count per `COUNT_FIELDS` column (plus pushes)."""
    if not rows:
        return
    counters = ["pushes", *COUNT_FIELDS.values()]
    fields = ["account", "system", "day", *counters, "first_push_at", "last_push_at"]
    source, params, columns = _rows_source(
        AccountDay, fields, [[row[name] for name in fields] for row in rows]
    )
    table = _q(AccountDay._meta.db_table)
    first, last = _q("first_push_at"), _q("last_push_at")
    updates = [f"{_q(name)} = {table}.{_q(name)} + EXCLUDED.{_q(name)}" for name in counters] + [
        f"{first} = CASE WHEN EXCLUDED.{first} < {table}.{first} "
        f"THEN EXCLUDED.{first} ELSE {table}.{first} END",
        f"{last} = CASE WHEN EXCLUDED.{last} > {table}.{last} "
        f"THEN EXCLUDED.{last} ELSE {table}.{last} END",
    ]
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) {source} "
        f"ON CONFLICT ({_q('account_id')}, {_q('day')}) DO UPDATE SET {', '.join(updates)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def update_states(states, fields):
    """Save `fields` of many monitoring states, each with its own values, in one statement
    (Django's bulk_update builds a CASE per field and row: seconds at 1,000 rows)."""
    if not states:
        return
    meta = MonitoringState._meta
    table, pk = _q(meta.db_table), _q(meta.pk.column)
    rows = [[state.pk, *(getattr(state, name) for name in fields)] for state in states]
    if connection.vendor == "postgresql":
        source, params, columns = _rows_source(MonitoringState, ["account", *fields], rows)
        sets = ", ".join(f"{column} = v.{column}" for column in columns[1:])
        sql = f"UPDATE {table} SET {sets} FROM ({source}) AS v({', '.join(columns)}) "
        sql += f"WHERE {table}.{pk} = v.{pk}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return
    columns = [meta.get_field(name) for name in fields]
    sets = ", ".join(f"{_q(field.column)} = %s" for field in columns)
    params = [
        [
            field.get_db_prep_save(value, connection)
            for field, value in zip(columns, row[1:], strict=True)
        ]
        + [row[0]]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", params)
