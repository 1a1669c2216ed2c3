"""The deployment files read the way Docker, systemd and gunicorn will read them."""

import configparser
import runpy
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def compose():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_every_process_the_portal_needs():
    services = compose()["services"]
    assert {"db", "redis", "web", "worker", "beat", "nginx"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_compose_worker_and_beat_run_the_portal_app():
    services = compose()["services"]
    for name, role in (("worker", "worker"), ("beat", "beat")):
        command = services[name]["command"]
        assert command[:4] == ["celery", "--app", "portal", role], name


def test_compose_portal_processes_read_the_env_file_and_its_secrets():
    services = compose()["services"]
    for name in ("migrate", "web", "worker", "beat"):
        env_files = [item["path"] for item in services[name]["env_file"]]
        assert env_files == ["portal.env"], name
        environment = services[name]["environment"]
        assert environment["SECRET_KEY_FILE"] == "/run/secrets/secret_key"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:")
    assert set(compose()["secrets"]) == {"secret_key", "field_key"}


def test_compose_nginx_serves_the_sites_template_and_the_documents_web_writes():
    services = compose()["services"]
    nginx = services["nginx"]
    assert "./nginx.conf:/etc/nginx/templates/default.conf.template:ro" in nginx["volumes"]
    assert nginx["environment"]["PORTAL_UPSTREAM"] == "web:8000"
    assert "documents:/srv/lienthongduoc/var:ro" in nginx["volumes"]
    assert "documents:/srv/lienthongduoc/var" in services["web"]["volumes"]


def test_dockerfile_runs_gunicorn_as_an_unprivileged_user_with_collected_static_files():
    text = (DEPLOY / "Dockerfile").read_text()
    assert text.startswith("#") and "FROM python:3.12-slim" in text
    assert "libpango-1.0-0" in text and "libharfbuzz-subset0" in text
    assert "collectstatic" in text
    user_line = text.index("\nUSER lienthongduoc")
    assert user_line > text.index("collectstatic") and user_line < text.index("\nCMD")
    assert '"deploy/gunicorn.conf.py"' in text


def test_systemd_units_start_web_worker_and_beat_with_the_env_file():
    commands = {}
    for unit in ("web", "worker", "beat"):
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.read(DEPLOY / "systemd" / f"lienthongduoc-{unit}.service")
        service = parser["Service"]
        assert service["EnvironmentFile"] == "/etc/lienthongduoc/portal.env"
        assert service["User"] == "lienthongduoc"
        commands[unit] = service["ExecStart"]
    assert "gunicorn --config deploy/gunicorn.conf.py portal.wsgi" in commands["web"]
    assert "celery --app portal worker" in commands["worker"]
    assert "celery --app portal beat" in commands["beat"]


def test_env_example_has_no_comment_after_a_value_that_systemd_would_keep():
    for line in (DEPLOY / "portal.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            assert " #" not in line and "\t#" not in line, line


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:8123")
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.5")
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["bind"] == "127.0.0.1:8123"
    assert config["workers"] == 3
    assert config["forwarded_allow_ips"] == "10.0.0.5"
    assert config["timeout"] == 60


def test_every_periodic_task_is_listed_with_why_a_second_run_is_harmless():
    from portal.celery import app as celery_app

    readme = (DEPLOY / "README.md").read_text()
    for name, entry in celery_app.conf.beat_schedule.items():
        assert f"| `{name}` | `{entry['task']}` |" in readme, name
