"""The portal started the way production starts it: nginx with deploy/nginx.conf over TLS in
front of gunicorn (DEBUG off, deploy/gunicorn.conf.py) on loopback, a Celery worker and beat
(with its lock) on Redis, a fresh PostgreSQL database migrated by `manage.py migrate`, static
files collected, e-mail over SMTP to a sink on loopback.

Runs under .ci/run (PostgreSQL and Redis); skipped on SQLite.
"""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import uuid
from email import message_from_string, policy
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from aiosmtpd.controller import Controller
from cryptography.fernet import Fernet

from tests.flows import SIGN_UP_PASSWORD

from .nginx import NGINX, nginx_conf, running

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = [
    pytest.mark.production,
    pytest.mark.skipif(
        not (DATABASE_URL.startswith("postgres") and BROKER_URL.startswith("redis://")),
        reason="needs DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://…",
    ),
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed"),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def wait_for(condition, seconds, message):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError(message)


def with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def psql(url, sql):
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True)


@pytest.fixture(scope="module")
def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def production(mailbox, tmp_path_factory):
    """nginx, gunicorn, worker and beat on a new database.

    Yields the site's address (https, through nginx), gunicorn's (http, on loopback), the
    mailbox and the processes' logs."""
    box, smtp_port = mailbox
    name = f"lt_production_{uuid.uuid4().hex[:8]}"
    server = with_database(DATABASE_URL, "postgres")
    psql(server, f"CREATE DATABASE {name}")
    var = tmp_path_factory.mktemp("production")
    port = free_port()
    conf, ports = nginx_conf(var, upstream_port=port)
    site = f"https://127.0.0.1:{ports['https_port']}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO"))},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "no",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": site,
        "SITE_URL": site,
        "DATABASE_URL": with_database(DATABASE_URL, name),
        "CELERY_BROKER_URL": BROKER_URL,
        "CACHE_URL": BROKER_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "PORTAL_VAR_DIR": str(var / "portal"),
        # Where deploy/nginx.conf, made local to `var`, looks for them.
        "STATIC_ROOT": str(var / "srv/staticfiles"),
        "PRIVATE_STORAGE_ROOT": str(var / "srv/var/private"),
        "PRIVATE_ACCEL_REDIRECT_PREFIX": "/_private/",
        "NATIONAL_ALLOW_SIMULATOR": "yes",
        "TRUSTED_PROXIES": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "LOG_FORMAT": "json",
    }
    python = sys.executable
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run([python, "manage.py", *command, "-v0"], cwd=ROOT, env=env, check=True)
    logs = {}
    commands = {
        "web": [python, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "portal.wsgi"],
        "worker": [python, "-m", "celery", "--app", "portal", "worker", "--pool", "solo"],
        "beat": [python, "-m", "celery", "--app", "portal", "beat",
                 "--schedule", str(var / "celerybeat-schedule")],
    }  # fmt: skip
    processes = {}
    for role, command in commands.items():
        logs[role] = var / f"{role}.log"
        processes[role] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=logs[role].open("w"), stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(
            lambda: httpx.get(f"{base}/healthz", timeout=2).status_code == 200,
            60,
            "gunicorn did not answer",
        )
        with running(conf, ports) as https:
            yield https, base, box, logs
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        psql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_production_web_is_ready_with_its_database_cache_and_broker(production):
    _, base, _, _ = production
    response = httpx.get(f"{base}/readyz", timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ok"


def test_production_worker_and_beat_keep_the_full_health_green(production):
    _, base, _, logs = production
    wait_for(
        lambda: httpx.get(f"{base}/health/", timeout=10).status_code == 200,
        90,
        f"/health/ stayed failing:\n{logs['beat'].read_text()[-2000:]}",
    )
    assert "holds the lock" in logs["beat"].read_text()


def csrf_token(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def test_sign_up_through_nginx_mails_a_link_that_confirms_the_address(production):
    site, _, box, logs = production
    email = f"moi-{uuid.uuid4().hex[:6]}@nhathuoc.vn"
    with httpx.Client(base_url=site, verify=False, timeout=20) as client:
        form = client.get("/tai-khoan/signup/")
        assert form.status_code == 200
        assert "max-age=" in form.headers["Strict-Transport-Security"]
        # nginx's own id for the request, which the portal answers with.
        assert re.fullmatch(r"[0-9a-f]{32}", form.headers["X-Request-ID"])
        answer = client.post(
            "/tai-khoan/signup/",
            data={
                "csrfmiddlewaretoken": csrf_token(form),
                "full_name": "Nguyễn Văn Mới",
                "position": "Chủ nhà thuốc",
                "email": email,
                "password1": SIGN_UP_PASSWORD,
                "password2": SIGN_UP_PASSWORD,
            },
            headers={"Referer": f"{site}/tai-khoan/signup/"},
        )
        assert answer.status_code == 302, answer.text[-3000:]
        wait_for(
            lambda: any(email in to for to, _ in box.messages),
            30,
            f"no mail to {email}:\n{logs['web'].read_text()[-2000:]}",
        )
        raw = next(content for to, content in box.messages if email in to)
        message = message_from_string(raw, policy=policy.default)
        body = message.get_body(("plain",)).get_content()
        # nginx passes $host, without the port: this test's port is not 443 as a server's is.
        link = re.search(r"https://127\.0\.0\.1(?::\d+)?(/tai-khoan/confirm-email/\S+/)", body)
        link = link.group(1)

        confirm = client.get(link)
        assert confirm.status_code == 200
        done = client.post(
            link,
            data={"csrfmiddlewaretoken": csrf_token(confirm)},
            headers={"Referer": f"{site}{link}"},
            follow_redirects=True,
        )
    assert done.status_code == 200
    assert done.url.path.startswith("/co-so/"), done.url


def test_nginx_serves_the_collected_static_files(production):
    site, _, _, _ = production
    response = httpx.get(f"{site}/static/fonts/Tinos-Regular.ttf", verify=False, timeout=10)
    assert response.status_code == 200
    assert response.content[:4] == b"\x00\x01\x00\x00"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_metrics_answer_the_scraper_on_the_host(production):
    site, base, _, _ = production
    response = httpx.get(f"{base}/metrics", timeout=10)
    assert response.status_code == 200
    assert 'lienthongduoc_dossiers{status="draft"} 0' in response.text
    assert httpx.get(f"{site}/metrics", verify=False, timeout=10).status_code == 403
