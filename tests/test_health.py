"""The probes the proxy and monitoring call, and /metrics."""

import re
import time

import pytest
from celery import Celery
from django.core.cache import cache
from redis.backoff import NoBackoff
from redis.retry import Retry

from portal.celery import (
    BEAT_TICK_KEY,
    WORKER_HEARTBEAT_KEY,
    SingleBeatScheduler,
    heartbeat,
)
from portal.celery import app as celery_app
from provisioning.models import DossierStatus, NationalAccount

from .flows import dossier_at

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://:s3cret-password@127.0.0.1:9/0"


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    cache.clear()


@pytest.fixture
def production_host(settings):
    settings.ALLOWED_HOSTS = ["lienthongduoc.soyte.example.vn"]
    settings.SECURE_SSL_REDIRECT = True


def beat_tick(tmp_path):
    """What the running beat does on each tick, without a lock (no Redis here)."""
    app = Celery("health-test-beat", broker="memory://", set_as_current=False)
    app.conf.beat_schedule = {}
    SingleBeatScheduler(app=app, schedule_filename=str(tmp_path / "beat"), lock_url="").tick()


def test_liveness_answers_a_probe_by_address_over_plain_http(client, production_host):
    response = client.get("/healthz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {}}


def test_readiness_checks_database_cache_and_broker(client, production_host):
    response = client.get("/readyz", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"] == "no-store"


def test_readiness_is_503_without_the_cache_and_names_no_address(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            # Fail at once rather than retry with back-off.
            "OPTIONS": {"retry": Retry(NoBackoff(), 0)},
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["cache"]["error"] == "ConnectionError"
    assert body["checks"]["database"]["ok"] is True
    assert "s3cret" not in response.content.decode() and ":9" not in response.content.decode()


def test_readiness_is_503_when_the_broker_does_not_answer(client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {
        "ok": False,
        "error": "ConnectionError",
        "ms": response.json()["checks"]["broker"]["ms"],
    }
    assert "s3cret" not in response.content.decode()


def test_full_health_fails_until_a_worker_and_the_beat_have_run(client):
    response = client.get("/health/")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["worker"] == {"ok": False, "error": "LookupError", "ms": checks["worker"]["ms"]}
    assert checks["beat"]["ok"] is False
    assert checks["database"]["ok"] is True


def test_full_health_passes_after_the_heartbeat_task_and_a_beat_tick(client, tmp_path):
    heartbeat.apply()
    beat_tick(tmp_path)
    response = client.get("/health/")
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert checks["worker"]["ok"] and checks["worker"]["age_seconds"] < 5
    assert checks["beat"]["ok"] and checks["beat"]["age_seconds"] < 5


def test_full_health_fails_on_a_heartbeat_older_than_the_limit(client, tmp_path, settings):
    settings.HEALTH_HEARTBEAT_MAX_AGE = 120
    cache.set(WORKER_HEARTBEAT_KEY, time.time() - 121, timeout=None)
    cache.set(BEAT_TICK_KEY, time.time(), timeout=None)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["error"] == "TimeoutError"
    assert response.json()["checks"]["beat"]["ok"] is True


def test_beat_schedules_the_worker_heartbeat_and_runs_with_the_lock():
    entry = celery_app.conf.beat_schedule["worker-heartbeat"]
    assert entry["task"] == heartbeat.name
    assert entry["schedule"] * 3 < 120
    assert celery_app.conf.beat_scheduler == "portal.celery:SingleBeatScheduler"


def test_health_answers_only_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code != 200


# /metrics


def test_metrics_are_refused_to_a_caller_from_another_host(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.5").status_code == 403


def test_metrics_are_refused_to_what_came_through_the_proxy(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.5")
    assert response.status_code == 403


def test_metrics_need_the_token_once_one_is_set(client, settings):
    settings.METRICS_TOKEN = "bi-mat-cua-prometheus"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer sai")
    assert wrong.status_code == 403
    right = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer bi-mat-cua-prometheus"
    )
    assert right.status_code == 200
    assert right["Content-Type"].startswith("text/plain; version=0.0.4")


def sample(text, name, **labels):
    rendered = ",".join(f'{key}="{value}"' for key, value in labels.items())
    match = re.search(rf"^{re.escape(name)}\{{{re.escape(rendered)}\}} (\S+)$", text, re.M)
    assert match, f"{name}{{{rendered}}} missing from:\n{text}"
    return float(match.group(1))


def scrape(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    return response.content.decode()


def test_metrics_count_answers_by_status_class(client):
    client.get("/khong-co-trang-nay/")
    client.get("/khong-co-trang-nay/")
    client.get("/healthz")
    text = scrape(client)
    assert sample(text, "lienthongduoc_http_responses_total", status_class="4xx") == 2
    assert sample(text, "lienthongduoc_http_responses_total", status_class="2xx") == 1
    assert sample(text, "lienthongduoc_http_responses_total", status_class="5xx") == 0


def test_metrics_count_dossiers_per_status_and_accounts_per_login_check(
    client, facility, other_facility, reviewer, approver, viettel
):
    dossier_at(DossierStatus.SUBMITTED, facility=other_facility)
    dossier_at(
        DossierStatus.ISSUED,
        facility=facility,
        reviewer=reviewer,
        approver=approver,
        viettel=viettel,
    )
    text = scrape(client)
    assert sample(text, "lienthongduoc_dossiers", status="submitted") == 1
    assert sample(text, "lienthongduoc_dossiers", status="issued") == 1
    assert sample(text, "lienthongduoc_dossiers", status="rejected") == 0
    # The login check is queued after commit, which a test's transaction never reaches.
    assert sample(text, "lienthongduoc_national_accounts", verification="pending") == 1
    assert sample(text, "lienthongduoc_national_accounts", verification="verified") == 0
    assert NationalAccount.objects.count() == 1


def test_metrics_count_task_outcomes(client):
    heartbeat.apply()
    heartbeat.apply()
    text = scrape(client)
    assert sample(text, "lienthongduoc_celery_tasks_total", outcome="success") == 2
    assert sample(text, "lienthongduoc_celery_tasks_total", outcome="failure") == 0
    assert sample(text, "lienthongduoc_heartbeat_age_seconds", process="beat") == -1
    assert 0 <= sample(text, "lienthongduoc_heartbeat_age_seconds", process="worker") < 5
