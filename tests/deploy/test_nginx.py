"""The nginx site in deploy/ as nginx itself reads and runs it.

The site's paths and names are substituted the way deploy/README.md says (envsubst), with a
self-signed certificate made in a temporary folder; nginx then runs unprivileged-style
(no master process, loopback ports) in front of a stand-in for gunicorn that answers the
way the portal's document view does.
"""

import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from .nginx import NGINX, nginx_command, running
from .nginx import nginx_conf as make_nginx_conf

IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; object-src 'self'; sandbox"

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")


class PortalStandIn(BaseHTTPRequestHandler):
    """Answers as serve_private_file does behind the proxy: headers, no body."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Disposition", 'inline; filename="giay-phep.png"')
        self.send_header("X-Accel-Redirect", "/_private/dossiers/giay-phep.png")
        if self.path != "/without-csp/":
            self.send_header("Content-Security-Policy", IMAGE_CSP)
        self.send_header("X-Frame-Options", "SAMEORIGIN")
        self.send_header("Cache-Control", "private, no-store")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        self.send_response(204)
        self.send_header("X-Seen-Request-ID", self.headers.get("X-Request-ID", ""))
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def nginx_conf(tmp_path):
    made = make_nginx_conf(tmp_path)
    (tmp_path / "srv/var/private/dossiers/giay-phep.png").write_bytes(b"\x89PNG tai lieu")
    return made


def test_nginx_accepts_the_site_with_a_certificate(nginx_conf):
    conf, _ = nginx_conf
    result = subprocess.run(
        [*nginx_command(conf), "-t"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.fixture
def running_nginx(nginx_conf):
    conf, ports = nginx_conf
    upstream = ThreadingHTTPServer(("127.0.0.1", ports["upstream_port"]), PortalStandIn)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    try:
        with (
            running(conf, ports) as base,
            httpx.Client(base_url=base, verify=False, timeout=5) as client,
        ):
            yield client, ports
    finally:
        upstream.shutdown()
        upstream.server_close()


def test_private_document_keeps_djangos_content_security_policy(running_nginx):
    client, _ = running_nginx
    response = client.get("/tai-lieu/1/")
    assert response.status_code == 200
    assert response.content == b"\x89PNG tai lieu"
    assert response.headers.get_list("Content-Security-Policy") == [IMAGE_CSP]
    assert response.headers["Content-Disposition"] == 'inline; filename="giay-phep.png"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers.get_list("Cache-Control") == ["private, no-store"]
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_private_document_without_a_policy_from_django_gets_the_strictest(running_nginx):
    client, _ = running_nginx
    response = client.get("/without-csp/")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_private_folder_cannot_be_asked_for_directly(running_nginx):
    client, _ = running_nginx
    assert client.get("/_private/dossiers/giay-phep.png").status_code == 404


def test_portal_receives_nginx_request_id(running_nginx):
    client, _ = running_nginx
    response = client.post("/co-so/", headers={"X-Request-ID": "forged"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Seen-Request-ID"])


def test_upload_over_the_size_limit_is_refused_by_nginx(running_nginx):
    client, _ = running_nginx
    assert client.post("/co-so/", content=b"x" * (1024 * 1024)).status_code == 204
    assert client.post("/co-so/", content=b"x" * (36 * 1024 * 1024)).status_code == 413


def test_plain_http_is_sent_to_https(running_nginx):
    _, ports = running_nginx
    response = httpx.get(f"http://127.0.0.1:{ports['http_port']}/co-so/", timeout=5)
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")
