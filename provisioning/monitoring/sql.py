"""The two statements the ORM cannot write: an insert that says which rows it inserted, and
an upsert that adds to counters. Plain SQL both PostgreSQL and SQLite (3.35+) understand."""

from django.db import connection

from .models import COUNT_FIELDS, AccountDay, SyncReport


def _prepared(model, fields, rows):
    columns = [model._meta.get_field(name) for name in fields]
    params = []
    for row in rows:
        params.extend(
            field.get_db_prep_save(value, connection)
            for field, value in zip(columns, row, strict=True)
        )
    return [connection.ops.quote_name(field.column) for field in columns], params


def insert_reports(rows):
    """Insert sync reports [(system, national_id, kind, account_id, pushed_at, received_at,
    api_key_id)], skipping those already stored; returns {(system, national_id)} inserted.

    Race: two calls carrying one report at once: the unique index makes the second wait for
    the first and skip the row, so exactly one of them counts it.
    """
    if not rows:
        return set()
    fields = ["system", "national_id", "kind", "account", "pushed_at", "received_at", "api_key"]
    columns, params = _prepared(SyncReport, fields, rows)
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    table = connection.ops.quote_name(SyncReport._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {placeholders} "
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
    columns, params = _prepared(
        AccountDay, fields, [[row[name] for name in fields] for row in rows]
    )
    q = connection.ops.quote_name
    table = q(AccountDay._meta.db_table)
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    first, last = q("first_push_at"), q("last_push_at")
    updates = [f"{q(name)} = {table}.{q(name)} + EXCLUDED.{q(name)}" for name in counters] + [
        f"{first} = CASE WHEN EXCLUDED.{first} < {table}.{first} "
        f"THEN EXCLUDED.{first} ELSE {table}.{first} END",
        f"{last} = CASE WHEN EXCLUDED.{last} > {table}.{last} "
        f"THEN EXCLUDED.{last} ELSE {table}.{last} END",
    ]
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {placeholders} "
        f"ON CONFLICT ({q('account_id')}, {q('day')}) DO UPDATE SET {', '.join(updates)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
