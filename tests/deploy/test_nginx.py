"""The nginx site in deploy/ as nginx itself reads and runs it.

The site's paths and names are substituted the way deploy/README.md says (envsubst), with a
self-signed certificate made in a temporary folder; nginx then runs unprivileged-style
(no master process, loopback ports) in front of a stand-in for gunicorn that answers the
way the portal's document view does.
"""

import re
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
SITE = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; object-src 'self'; sandbox"

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def render_site(tmp_path, *, upstream, https_port, http_port):
    """deploy/nginx.conf with names, paths and ports made local to tmp_path."""
    text = SITE.read_text()
    text = text.replace("${PORTAL_SERVER_NAME}", "localhost")
    text = text.replace("${PORTAL_UPSTREAM}", upstream)
    text = text.replace("/srv/lienthongduoc/", f"{tmp_path}/srv/")
    text = text.replace("/etc/lienthongduoc/tls/", f"{tmp_path}/tls/")
    text = text.replace("/var/www/html", f"{tmp_path}/www")
    text = re.sub(r"^\s*listen \[::\].*\n", "", text, flags=re.MULTILINE)
    text = text.replace("listen 443 ", f"listen 127.0.0.1:{https_port} ")
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    assert "${" not in text, "a template variable was left unfilled"
    return text


@pytest.fixture
def nginx_conf(tmp_path):
    for folder in ("srv/staticfiles", "srv/var/private/dossiers", "tls", "www", "temp"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "srv/var/private/dossiers/giay-phep.png").write_bytes(b"\x89PNG tai lieu")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", tmp_path / "tls/privkey.pem",
         "-out", tmp_path / "tls/fullchain.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    ports = {"https_port": free_port(), "http_port": free_port(), "upstream_port": free_port()}
    site = tmp_path / "site.conf"
    site.write_text(
        render_site(
            tmp_path,
            upstream=f"127.0.0.1:{ports['upstream_port']}",
            https_port=ports["https_port"],
            http_port=ports["http_port"],
        )
    )
    temp = tmp_path / "temp"
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"""
daemon off;
master_process off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
"""
    )
    return conf, ports


def nginx_command(conf, *args):
    return [NGINX, "-e", str(conf.parent / "error.log"), "-p", str(conf.parent), "-c", str(conf)]


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
    process = subprocess.Popen(nginx_command(conf), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", ports["https_port"]), 0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stderr.read().decode()) from None
                time.sleep(0.05)
        with httpx.Client(
            base_url=f"https://127.0.0.1:{ports['https_port']}", verify=False, timeout=5
        ) as client:
            yield client, ports
    finally:
        process.terminate()
        process.wait(5)
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
