"""A request's id in its answer, its log lines and its tasks; JSON logs by setting."""

import io
import json
import logging
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.core.signals import request_finished
from django.http import HttpResponse
from django.test import RequestFactory

from portal.celery import app as celery_app
from provisioning.observability import (
    JsonFormatter,
    RequestIdFilter,
    RequestIdMiddleware,
    request_id,
)

from .workers import worker_on_private_queue

seen_by_task = []


@celery_app.task(name="tests.test_observability.note_request_id")
def note_request_id():
    seen_by_task.append(request_id.get())


def queue_task_in_a_request(header):
    """A request through RequestIdMiddleware whose view queues a task, as views do."""

    def view(request):
        note_request_id.delay()
        return HttpResponse("ok")

    request = RequestFactory().get("/", **({"HTTP_X_REQUEST_ID": header} if header else {}))
    response = RequestIdMiddleware(view)(request)
    request_finished.send(sender=None)
    return response


def test_answer_carries_the_request_id_the_proxy_gave(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="3f2a9c0d1e4b5a6978877665544332211")
    assert response["X-Request-ID"] == "3f2a9c0d1e4b5a6978877665544332211"


def test_request_without_an_id_gets_a_new_one_each_time(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_request_id_that_could_forge_a_log_line_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID='x" level=ERROR {')
    assert response["X-Request-ID"] != 'x" level=ERROR {'
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_log_line_of_a_request_is_json_with_its_id(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/co-so/ho-so/999999/", HTTP_X_REQUEST_ID="req-42")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines, "the 404 was not logged"
    assert lines[-1]["request_id"] == "req-42"
    assert lines[-1]["level"] == "WARNING"
    assert lines[-1]["logger"] == "django.request"
    assert lines[-1]["time"].endswith("+00:00")


def run_settings(code, **env):
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=django_settings.BASE_DIR,
    )


def test_log_format_json_writes_one_json_object_a_line():
    result = run_settings(
        "import logging; logging.getLogger('provisioning').warning('Hồ sơ %s', 'HS-1')",
        LOG_FORMAT="json",
    )
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["message"] == "Hồ sơ HS-1"
    assert entry["level"] == "WARNING"
    assert entry["request_id"] == "-"


def test_log_format_text_keeps_readable_lines_with_the_request_id():
    result = run_settings(
        "import logging; logging.getLogger('provisioning').warning('Hồ sơ HS-1')",
        LOG_FORMAT="text",
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith("WARNING provisioning [-] Hồ sơ HS-1")


def test_unknown_log_format_is_refused():
    result = run_settings("", LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "LOG_FORMAT must be text or json" in result.stderr


@pytest.mark.django_db
def test_task_run_inside_the_request_sees_its_id():
    """Tests and the demo without a broker run tasks eagerly, in the request itself."""
    seen_by_task.clear()
    response = queue_task_in_a_request("req-eager-1")
    assert seen_by_task == ["req-eager-1"]
    assert response["X-Request-ID"] == "req-eager-1"
    assert request_id.get() is None


@pytest.mark.worker
@pytest.mark.django_db
@pytest.mark.skipif(
    not django_settings.CELERY_BROKER_URL.startswith("redis://"),
    reason="needs a real broker: CELERY_BROKER_URL=redis://…",
)
def test_task_run_by_a_worker_carries_the_request_id_in_its_message():
    seen_by_task.clear()
    with worker_on_private_queue(note_request_id.name, prefix="test-request-id"):
        queue_task_in_a_request("req-worker-7")
        deadline = time.monotonic() + 20
        while not seen_by_task and time.monotonic() < deadline:
            time.sleep(0.05)
    assert seen_by_task == ["req-worker-7"]
