"""Encrypt the TOTP keys and recovery-code seeds allauth stored in the clear before the
portal's MFA adapter (provisioning.adapters.MFAAdapter) encrypted them.

A Fernet token always starts with "gAAAAA"; a TOTP key is base32 (A-Z, 2-7), a seed is hex
and recovery codes are digits, so no plain value can be mistaken for an encrypted one.
"""

from django.db import migrations

from provisioning import crypto

FERNET_PREFIX = "gAAAAA"


def _encrypt(value):
    return value if value.startswith(FERNET_PREFIX) else crypto.encrypt(value)


def _decrypt(value):
    return crypto.decrypt(value) if value.startswith(FERNET_PREFIX) else value


def _convert(apps, convert):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=["totp", "recovery_codes"]):
        data = dict(authenticator.data)
        for key in ("secret", "seed"):
            if isinstance(data.get(key), str):
                data[key] = convert(data[key])
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [convert(code) for code in data["migrated_codes"]]
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


def encrypt_secrets(apps, schema_editor):
    _convert(apps, _encrypt)


def decrypt_secrets(apps, schema_editor):
    _convert(apps, _decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("provisioning", "0007_monitoring_models"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets)]
