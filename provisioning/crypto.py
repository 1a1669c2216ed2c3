"""Encryption of secrets kept for a while (initial passwords), and their generation.

FIELD_ENCRYPTION_KEY holds one Fernet key, or several separated by commas, newest first:
new secrets are encrypted with the first, and any of them opens a stored one. To rotate,
put a new key in front, run `manage.py rotate_encryption_key`, then drop the old key.
"""

import base64
import binascii
import hashlib
import secrets
import string
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Where crypto.encrypt() tokens are stored: (model label, column, key inside a JSON column or
# None). The rotation command re-encrypts them and the admin index counts those no key opens.
ENCRYPTED_FIELDS = [
    ("provisioning.NationalAccount", "password_ciphertext", None),
    # Staff TOTP keys and recovery-code seeds (allauth, through `adapters.MFAAdapter`).
    ("mfa.Authenticator", "data", "secret"),
    ("mfa.Authenticator", "data", "seed"),
]


class SecretUnreadable(InvalidToken):
    """No configured key opens this token (the key that made it was dropped or changed)."""


def parse_keys(value):
    """The Fernet keys in FIELD_ENCRYPTION_KEY, newest first; ImproperlyConfigured if any
    of them is not a key (settings call this, so a bad key stops the start)."""
    keys = [item.strip() for item in value.split(",") if item.strip()]
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY names no key.")
    fernets = []
    for number, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, binascii.Error) as exc:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEY: key number {number} is not a Fernet key (32 bytes in "
                "URL-safe Base64, 44 characters; make one with `python -c 'from "
                "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)."
            ) from exc
    return fernets


@cache
def _fernets(value, secret_key):
    if not value:
        # Development only: settings refuse to start production without a real key.
        value = base64.urlsafe_b64encode(hashlib.sha256(secret_key.encode()).digest()).decode()
    return parse_keys(value)


def _keys():
    return _fernets(settings.FIELD_ENCRYPTION_KEY, settings.SECRET_KEY)


def encrypt(text):
    """A token of `text` under the newest key."""
    return _keys()[0].encrypt(text.encode()).decode()


def decrypt(token):
    """The text of `token`, opened by any configured key; SecretUnreadable if none does."""
    try:
        return MultiFernet(_keys()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable from exc


def rotated(token):
    """`token` under the newest key, or None when it already is; SecretUnreadable if no
    configured key opens it."""
    newest, *_older = _keys()
    try:
        newest.decrypt(token.encode())
        return None
    except InvalidToken:
        pass
    try:
        return MultiFernet(_keys()).rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable from exc


def stored_tokens():
    """(model, pk, column, JSON key, token) for every stored token."""
    for label, column, key in ENCRYPTED_FIELDS:
        model = apps.get_model(label)
        for pk, value in model.objects.values_list("pk", column).iterator():
            token = value.get(key) if key and isinstance(value, dict) else value
            if token and isinstance(token, str):
                yield model, pk, column, key, token


def unreadable_records():
    """(model, pk) of every stored token that no configured key opens."""
    for model, pk, _column, _key, token in stored_tokens():
        try:
            decrypt(token)
        except SecretUnreadable:
            yield model, pk


SYMBOLS = "@#$%&*-+=?"
CLASSES = (string.ascii_uppercase, string.ascii_lowercase, string.digits, SYMBOLS)


def generate_password(length=None):
    """At least 8 characters with one of each class at least (Decision 412, Art. 8)."""
    length = max(8, length or settings.INITIAL_PASSWORD_LENGTH)
    chars = [secrets.choice(cls) for cls in CLASSES]
    alphabet = "".join(CLASSES)
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def password_is_strong(password):
    """Decision 412, Art. 8: at least 8 characters, with all four classes."""
    return len(password) >= 8 and all(any(c in cls for c in password) for cls in CLASSES)


LOOKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_lookup_secret(length=8):
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(length))
