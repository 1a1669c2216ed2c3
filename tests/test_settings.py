"""Production differs from development only by environment variables, and refuses to start
with an unsafe one. Each case imports the settings in a fresh interpreter."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_HOST = "lienthongduoc.soyte.bacninh.gov.vn"
# Every variable the settings read, removed from the inherited environment first.
READ = (
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "FIELD_ENCRYPTION_KEY",
    "STAFF_REQUIRE_MFA",
    "ALLOW_STAFF_WITHOUT_MFA",
    "DOSSIER_WORKING_DAYS",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "EMAIL_HOST",
    "EMAIL_PORT",
)


def import_settings(tmp_path, **variables):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in READ and not key.endswith("_FILE")
    }
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", PORTAL_VAR_DIR=str(tmp_path), **variables)
    return subprocess.run(
        [sys.executable, "-c", "import portal.settings as s; print(s.DEBUG, s.SECRET_KEY)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def production(**overrides):
    variables = {
        "DEBUG": "no",
        "SECRET_KEY": "a-real-production-secret-0123456789abcdef",
        "ALLOWED_HOSTS": PUBLIC_HOST,
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    variables.update(overrides)
    return {key: value for key, value in variables.items() if value is not None}


def test_development_starts_with_no_variables_set(tmp_path):
    result = import_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True dev-only-secret-key")


def test_production_with_every_variable_set_starts(tmp_path):
    result = import_settings(tmp_path, **production())
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False a-real-production-secret")


def test_production_refuses_the_default_secret_key(tmp_path):
    result = import_settings(tmp_path, **production(SECRET_KEY=None))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Production needs SECRET_KEY (or SECRET_KEY_FILE) to be set." in result.stderr


def test_production_refuses_the_default_secret_key_even_when_typed_in(tmp_path):
    result = import_settings(
        tmp_path, **production(SECRET_KEY="dev-only-secret-key-never-use-in-production")
    )
    assert "Production needs SECRET_KEY" in result.stderr


def test_the_secret_key_may_come_from_a_file(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("secret-from-a-file-0123456789\n")
    result = import_settings(tmp_path, **production(SECRET_KEY=None), SECRET_KEY_FILE=str(secret))
    assert result.returncode == 0, result.stderr
    assert "False secret-from-a-file-0123456789" in result.stdout


def test_debug_is_refused_with_a_public_host(tmp_path):
    result = import_settings(tmp_path, **production(DEBUG="yes"))
    assert result.returncode != 0
    assert "DEBUG must be off when ALLOWED_HOSTS names a public host." in result.stderr


def test_debug_is_allowed_on_local_hosts_only(tmp_path):
    result = import_settings(tmp_path, DEBUG="yes", ALLOWED_HOSTS="localhost,127.0.0.1")
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_run_without_an_encryption_key(tmp_path):
    result = import_settings(tmp_path, **production(FIELD_ENCRYPTION_KEY=None))
    assert "Production needs FIELD_ENCRYPTION_KEY (a Fernet key)." in result.stderr


def test_production_refuses_staff_without_two_factor_unless_explicitly_allowed(tmp_path):
    refused = import_settings(tmp_path, **production(STAFF_REQUIRE_MFA="no"))
    assert "Production requires two-factor authentication for staff." in refused.stderr

    allowed = import_settings(
        tmp_path, **production(STAFF_REQUIRE_MFA="no", ALLOW_STAFF_WITHOUT_MFA="yes")
    )
    assert allowed.returncode == 0, allowed.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be yes or no, not 'maybe'"),
        ("DOSSIER_WORKING_DAYS", "năm", "DOSSIER_WORKING_DAYS must be a whole number, not 'năm'"),
    ],
)
def test_a_badly_typed_variable_fails_loudly(tmp_path, name, value, message):
    result = import_settings(tmp_path, **{name: value})
    assert result.returncode != 0
    assert message in result.stderr
