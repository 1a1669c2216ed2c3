"""Accent-blind search: "tam duc" finds "Tâm Đức", as Vietnamese users often type.

`Folded(expression)` is the text in lower case without diacritics, through a SQL function
`portal_fold`: on PostgreSQL a migration defines it over unaccent() and indexes it with
trigrams; on SQLite, which has neither, `fold` below is registered under that name on every
new connection.
"""

import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func

SQL_FUNCTION = "portal_fold"


def fold(text):
    """'Tâm Đức' -> 'tam duc'. Đ is a letter of its own in Unicode, not D with a mark."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class Folded(Func):
    function = SQL_FUNCTION
    output_field = CharField()


def _register_sqlite_fold(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQL_FUNCTION, 1, fold, deterministic=True)


def install():
    """Called once from the app's ready()."""
    connection_created.connect(_register_sqlite_fold, dispatch_uid="portal-sqlite-fold")
