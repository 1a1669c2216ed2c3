"""deploy/nginx.conf made local to a folder and run by nginx (no master process, loopback).

The site's names and paths are substituted as envsubst would (deploy/README.md), with a
self-signed certificate made for the occasion; the layout under `root` mirrors the server's:
`srv/staticfiles`, `srv/var/private`, `tls/`.
"""

import contextlib
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
SITE = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def nginx_conf(tmp_path, upstream_port=None):
    for folder in ("srv/staticfiles", "srv/var/private/dossiers", "tls", "www", "temp"):
        (tmp_path / folder).mkdir(parents=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", tmp_path / "tls/privkey.pem",
         "-out", tmp_path / "tls/fullchain.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    ports = {
        "https_port": free_port(),
        "http_port": free_port(),
        "upstream_port": upstream_port or free_port(),
    }
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


def nginx_command(conf):
    return [NGINX, "-e", str(conf.parent / "error.log"), "-p", str(conf.parent), "-c", str(conf)]


@contextlib.contextmanager
def running(conf, ports):
    """nginx serving `conf` until the block ends."""
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
        yield f"https://127.0.0.1:{ports['https_port']}"
    finally:
        process.terminate()
        process.wait(5)
