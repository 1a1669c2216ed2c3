"""Vietnamese text in the database: accent-blind search and alphabetical order.

Search: "tam duc" finds "Tâm Đức", as Vietnamese users often type. `Folded(expression)` is the
text in lower case without diacritics, through a SQL function `portal_fold`: on PostgreSQL a
migration defines it over unaccent() and indexes it with trigrams; on SQLite, which has
neither, `fold` below is registered under that name on every new connection.

Order: `vietnamese(field)` sorts as a Vietnamese reader expects (Đ after D and before E, ă and
â after a, tones after the bare letter), through the collation `VIETNAMESE`: ICU's on
PostgreSQL, and on SQLite `vietnamese_key` below, registered under the same name.
"""

import re
import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func
from django.db.models.functions import Collate

SQL_FUNCTION = "portal_fold"
# PostgreSQL's ICU collation for Vietnamese (present wherever PostgreSQL is built with ICU, as
# Debian's and the official images are); SQLite gets a Python one under the same name.
VIETNAMESE = "vi-x-icu"


def fold(text):
    """'Tâm Đức' -> 'tam duc'. Đ is a letter of its own in Unicode, not D with a mark."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class Folded(Func):
    function = SQL_FUNCTION
    output_field = CharField()


def vietnamese(field):
    """`field` in Vietnamese alphabetical order, for `order_by` and `Meta.ordering`."""
    return Collate(field, VIETNAMESE)


# The Vietnamese alphabet, with the letters only loanwords use (f, j, w, z) where Latin puts
# them. A letter is its base and the marks that make it another letter (ă â đ ê ô ơ ư).
ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
LETTER_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}
LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn
# Tones sort after the bare syllable in the traditional order: huyền, hỏi, ngã, sắc, nặng.
TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_key(text):
    """A sort key that orders like ICU's Vietnamese collation: letters first, then tones,
    then lower case before upper case; spaces and punctuation before digits before letters."""
    letters, tones, cases = [], [], []
    for character in unicodedata.normalize("NFD", text):
        if character in TONE_RANK and tones:
            tones[-1] = TONE_RANK[character]
            continue
        if character in LETTER_MARKS and letters and letters[-1][0] == 2:
            marked = unicodedata.normalize("NFC", ALPHABET[letters[-1][1]] + character)
            letters[-1] = (2, LETTER_RANK.get(marked, letters[-1][1]))
            continue
        lower = character.lower()  # "Đ" has no decomposition: it is a letter of its own
        if lower in LETTER_RANK:
            letters.append((2, LETTER_RANK[lower]))
        elif unicodedata.combining(character):
            continue
        elif character.isdigit():
            letters.append((1, ord(character)))
        else:
            letters.append((0, ord(lower)))
        tones.append(0)
        cases.append(character != lower)
    return letters, tones, cases


def _compare_vietnamese(left, right):
    left, right = vietnamese_key(left), vietnamese_key(right)
    return (left > right) - (left < right)


def _register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQL_FUNCTION, 1, fold, deterministic=True)
        connection.connection.create_collation(VIETNAMESE, _compare_vietnamese)


def install():
    """Called once from the app's ready()."""
    connection_created.connect(_register_sqlite_functions, dispatch_uid="portal-sqlite-fold")


# Dossier codes as `dossier_submit` numbers them: LTD-<province, 2 digits>-<year>-<number>.
CODE = re.compile(r"LTD(\d{2})(\d{4})(\d{5,})")


def dossier_code(text):
    """'ltd24202500017' or ' LTD-24-2025-00017 ' -> 'LTD-24-2025-00017'; None for anything
    that is not a whole dossier code."""
    match = CODE.fullmatch(re.sub(r"[\s\-]", "", text).upper())
    return "LTD-{}-{}-{}".format(*match.groups()) if match else None
