"""gunicorn's settings for the portal, read from the environment (deploy/portal.env).

gunicorn --config deploy/gunicorn.conf.py portal.wsgi
"""

import multiprocessing
import os


def _int(name, default):
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from exc


# Loopback behind the nginx of the same host; 0.0.0.0:8000 in the container image.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: the portal's views are short; PDFs are rendered by the Celery worker.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 1)
# A request longer than this is killed and logged (uploads arrive whole, nginx buffers them).
timeout = _int("GUNICORN_TIMEOUT", 60)
# On SIGTERM (systemd stop, a deploy), requests in flight get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Recycle workers now and then so that a slow leak never grows for months.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# The proxy whose X-Forwarded-Proto/For gunicorn believes: nginx on this host by default; in
# compose the web container is reachable only from the proxy, so "*" is set there.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# nginx writes the access log; gunicorn's errors go to the journal / container log.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Heartbeat files in memory, not on a container's overlay file system.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
