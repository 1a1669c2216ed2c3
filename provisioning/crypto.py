"""Encryption of secrets kept for a while (initial passwords), and their generation."""

import base64
import hashlib
import secrets
import string

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet():
    key = settings.FIELD_ENCRYPTION_KEY
    if not key:
        # Development only: settings refuse to start production without a real key.
        key = base64.urlsafe_b64encode(hashlib.sha256(settings.SECRET_KEY.encode()).digest())
    return Fernet(key)


def encrypt(text):
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token):
    return _fernet().decrypt(token.encode()).decode()


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
