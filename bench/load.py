"""Throughput under load: gunicorn with production settings on loopback, driven by wrk.

Run: DATABASE_URL=postgres://… CACHE_URL=redis://127.0.0.1:6379/0 \\
     .venv/bin/python bench/load.py [--dossiers 20000] [--seconds 10]

Reuses (or builds) the province of that size (bench/data.py), starts gunicorn with DEBUG off
and the production checks on, then, one after the other in the same run, loads the trivial
view and each page with the same connections and the same login. It prints, for each page,
its requests per second over the trivial view's: 1.0 would be a page as cheap as
`HttpResponse("ok")`. The goals: at least 0.3 for the reviewer's queue and 0.5 for the public
lookup, with no errors. Needs `wrk` (Debian: apt-get install wrk).
"""

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
# The sessions this process opens are signed with the key the server will check them with.
os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)

import django  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.data import province_of_size  # noqa: E402

# Each request comes from another address, as many visitors would: the lookup's rate limit
# counts per address and must not turn the run into a test of the 429 page.
SCRIPT = """
math.randomseed(os.time())
request = function()
  wrk.headers["X-Real-IP"] = "10." .. math.random(0, 255) .. "." .. math.random(0, 255)
    .. "." .. math.random(1, 254)
  return wrk.format(nil)
end
"""


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(port, workers):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "no",
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "portal.wsgi:application",
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=environment,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urlopen(f"http://127.0.0.1:{port}/bench/ok/", timeout=10).read()
            return server
        except OSError:  # not listening yet, or still importing Django
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not start within a minute")


def drain(base):
    """Wait until the server has answered what an earlier run left queued: a request sent
    now is served after all of them."""
    urlopen(f"{base}/bench/ok/", timeout=300).read()


def run_wrk(url, *, cookie, seconds, connections, threads, script, warming=False):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout=30s"]
    command += ["-s", script]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    if not rate and not warming:
        raise SystemExit(f"no request answered:\n{output}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return rate, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=10, help="of load for each page")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    if not os.environ.get("CACHE_URL"):
        print("# CACHE_URL is not set: each worker keeps its own cache (production uses Redis)")

    bench = province_of_size(args.dossiers)
    showcase = bench.showcase
    staff, owner = session_cookie(bench.reviewer), session_cookie(bench.owner)
    lookup = reverse("public:lookup") + f"?code={showcase.code}&secret={showcase.lookup_secret}"
    pages = [
        ("review queue", staff, reverse("review:queue")),
        ("review queue decided", staff, reverse("review:queue") + "?tab=decided"),
        ("review dossier", staff, reverse("review:dossier", args=[showcase.pk])),
        ("facility home", owner, reverse("facility:home")),
        ("public lookup", None, lookup),
    ]

    port = free_port()
    server = start_gunicorn(port, args.workers)
    base = f"http://127.0.0.1:{port}"
    trivial = reverse("bench_ok")
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(SCRIPT)
            script.flush()

            def load(path, cookie, seconds=args.seconds, warming=False):
                drain(base)
                return run_wrk(
                    base + path,
                    cookie=cookie,
                    seconds=seconds,
                    connections=args.connections,
                    threads=args.threads,
                    script=script.name,
                    warming=warming,
                )

            for _label, cookie, path in pages:  # workers, connections and caches warmed
                load(path, cookie, seconds=5, warming=True)
            print(
                f"# {args.workers} gunicorn workers, {args.connections} connections, "
                f"{args.dossiers} dossiers; load average {os.getloadavg()[0]:.2f}"
            )
            for label, cookie, path in pages:
                unit, unit_errors = load(trivial, cookie)
                rate, errors = load(path, cookie)
                print(
                    f"{label} @{args.dossiers}: {rate / unit:.2f} of the trivial view's "
                    f"throughput ({rate:.0f} / {unit:.0f} requests/s), "
                    f"{errors + unit_errors} errors, load average {os.getloadavg()[0]:.2f}"
                )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
