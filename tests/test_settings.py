"""Production differs from development only by environment variables, and refuses to start
with an unsafe one. Each case imports the settings in a fresh interpreter."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_HOST = "lienthongduoc.soyte.bacninh.gov.vn"
SECRET = "a-real-production-secret-0123456789abcdefghijklmnopqrstuvwxyz"
READERS = {"env", "envbool", "envint", "envlist", "os.environ.get"}


def variables_read_by_settings():
    """Every NAME in env("NAME"), envbool("NAME", …), … and os.environ.get("NAME") calls."""
    tree = ast.parse((ROOT / "portal" / "settings.py").read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and ast.unparse(node.func) in READERS
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


READ = variables_read_by_settings()


def printing(expression):
    return f"import portal.settings as s; print({expression})"


DEBUG_AND_KEY = printing("s.DEBUG, s.SECRET_KEY")


def import_settings(tmp_path, code=DEBUG_AND_KEY, **variables):
    """Run `code` in a fresh interpreter with only `variables` set (of those the settings
    read)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in READ and not key.endswith("_FILE")
    }
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", PORTAL_VAR_DIR=str(tmp_path), **variables)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def production(**overrides):
    variables = {
        "DEBUG": "no",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": PUBLIC_HOST,
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": "postgres://lienthong@127.0.0.1:5432/lienthong",
        "CACHE_URL": "redis://127.0.0.1:6379/1",
        "NATIONAL_LEGACY_URL": "https://duocquocgia.com.vn",
        "NATIONAL_V2_URL": "https://api.csdlduoc.com.vn/v2",
    }
    variables.update(overrides)
    return {key: value for key, value in variables.items() if value is not None}


def assert_refused(result, message):
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


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
    secret.write_text("secret-from-a-file-0123456789-0123456789-0123456789\n")
    result = import_settings(tmp_path, **production(SECRET_KEY=None), SECRET_KEY_FILE=str(secret))
    assert result.returncode == 0, result.stderr
    assert "False secret-from-a-file-0123456789-0123456789-0123456789" in result.stdout


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


@pytest.mark.parametrize(
    "secret",
    ["x", "a-short-but-not-empty-secret-key", "ab" * 40, "django-insecure-" + "k3y" * 20],
    ids=["one-character", "short", "two-distinct-characters", "django-insecure"],
)
def test_production_refuses_a_weak_secret_key(tmp_path, secret):
    result = import_settings(tmp_path, **production(SECRET_KEY=secret))
    assert_refused(result, "SECRET_KEY is too weak for production")


def test_production_refuses_any_host(tmp_path):
    result = import_settings(tmp_path, **production(ALLOWED_HOSTS=f"{PUBLIC_HOST},*"))
    assert_refused(result, "ALLOWED_HOSTS must name the portal's hosts, not '*'.")


@pytest.mark.parametrize("database_url", [None, "sqlite:////srv/lienthongduoc/portal.sqlite3"])
def test_production_refuses_sqlite(tmp_path, database_url):
    result = import_settings(tmp_path, **production(DATABASE_URL=database_url))
    assert_refused(result, "Production needs DATABASE_URL on PostgreSQL")


@pytest.mark.parametrize(
    "dotted",
    [
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
        "provisioning.demo_mailbox.EmailBackend",
    ],
)
def test_production_refuses_a_mailer_that_sends_nothing(tmp_path, dotted):
    result = import_settings(tmp_path, **production(EMAIL_BACKEND=dotted))
    assert_refused(result, f"Production cannot send e-mail with {dotted}")


def test_production_sends_e_mail_over_smtp_by_default(tmp_path):
    backend = printing("s.MAILERS['default']['BACKEND']")
    result = import_settings(tmp_path, code=backend, **production())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"


def test_production_refuses_the_per_process_memory_cache(tmp_path):
    result = import_settings(tmp_path, **production(CACHE_URL=None))
    assert_refused(result, "Production needs CACHE_URL (Redis)")


def test_a_cache_url_that_is_not_redis_fails_loudly(tmp_path):
    result = import_settings(tmp_path, CACHE_URL="memcached://127.0.0.1:11211")
    assert_refused(result, "CACHE_URL must be a redis:// address")


def test_production_uses_redis_for_the_cache(tmp_path):
    result = import_settings(tmp_path, code=printing("s.CACHES['default']"), **production())
    assert "RedisCache" in result.stdout
    assert "redis://127.0.0.1:6379/1" in result.stdout


def test_the_national_systems_are_read_from_the_environment(tmp_path):
    result = import_settings(
        tmp_path,
        code=printing("s.NATIONAL_SYSTEMS"),
        **production(NATIONAL_TIMEOUT="20", NATIONAL_RETRIES="1", NATIONAL_VERIFY_TLS="no"),
    )
    assert result.returncode == 0, result.stderr
    systems = ast.literal_eval(result.stdout.strip())
    assert systems == {
        "legacy": {
            "base_url": "https://duocquocgia.com.vn",
            "timeout": 20,
            "retries": 1,
            "verify_tls": False,
        },
        "v2": {
            "base_url": "https://api.csdlduoc.com.vn/v2",
            "timeout": 20,
            "retries": 1,
            "verify_tls": False,
        },
    }


def test_development_points_the_national_systems_at_the_simulators(tmp_path):
    result = import_settings(tmp_path, code=printing("s.NATIONAL_SYSTEMS"))
    systems = ast.literal_eval(result.stdout.strip())
    assert systems["legacy"]["base_url"] == "http://127.0.0.1:8701"
    assert systems["v2"]["base_url"] == "http://127.0.0.1:8702/v2"
    assert systems["v2"]["verify_tls"] is True


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NATIONAL_LEGACY_URL", None),
        ("NATIONAL_V2_URL", None),
        ("NATIONAL_LEGACY_URL", "http://localhost:8701"),
        ("NATIONAL_V2_URL", "http://[::1]:8702/v2"),
        ("NATIONAL_V2_URL", "http://127.0.0.2/v2"),
    ],
)
def test_production_refuses_a_national_system_on_the_local_simulator(tmp_path, name, value):
    result = import_settings(tmp_path, **production(**{name: value}))
    assert_refused(result, f"{name} points at this machine")


def test_production_may_use_the_simulators_when_that_is_said_to_be_meant(tmp_path):
    result = import_settings(
        tmp_path,
        **production(
            NATIONAL_LEGACY_URL=None, NATIONAL_V2_URL=None, NATIONAL_ALLOW_SIMULATOR="yes"
        ),
    )
    assert result.returncode == 0, result.stderr


def test_a_national_url_without_a_scheme_fails_loudly(tmp_path):
    result = import_settings(tmp_path, NATIONAL_V2_URL="api.csdlduoc.com.vn/v2")
    assert_refused(result, "NATIONAL_V2_URL must be an http:// or https:// address")


def documented_variables():
    text = (ROOT / "deploy" / "portal.env.example").read_text()
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]*?)(?:_FILE)?=", text, re.MULTILINE))


def test_every_variable_the_settings_read_is_documented_in_the_env_example():
    assert len(READ) > 40
    assert sorted(READ - documented_variables()) == []


def test_the_env_example_documents_no_variable_the_settings_ignore():
    assert sorted(documented_variables() - READ) == []


def test_the_env_example_is_a_production_that_starts(tmp_path):
    """Every uncommented line, with the files it names replaced by values."""
    variables = {}
    for line in (ROOT / "deploy" / "portal.env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            variables[name] = value.split("   #")[0].strip()
    variables.update(
        SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        FIELD_ENCRYPTION_KEY_FILE=str(tmp_path / "field_key"),
    )
    (tmp_path / "secret_key").write_text(SECRET)
    (tmp_path / "field_key").write_text(Fernet.generate_key().decode())
    result = import_settings(tmp_path, **variables)
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_in_production(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in READ and not key.endswith("_FILE")
    }
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", PORTAL_VAR_DIR=str(tmp_path))
    env.update(production())
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
