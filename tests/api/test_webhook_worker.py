"""End to end with a real Celery worker on real Redis: the outbox task turns an API submission's events into
deliveries and the webhook queue delivers them, signed, to a real receiver. Also: the tasks the beat runs
are wired to the services (called in-process here)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from standardwebhooks.webhooks import Webhook
from werkzeug import Response

from moderation.models import WebhookDelivery

from tests.pipeline.conftest import stop_process_group

from .conftest import QUEUED_DISCLOSURE, post_payload

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, *, timeout=45.0, message="condition"):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {message}")
        time.sleep(0.2)
    return value


@pytest.fixture
def worker(tmp_path):
    settings_dict = connection.settings_dict
    database_url = (f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT'] or 5432}/"
                    f"{settings_dict['NAME']}")  # pytest-django's test database, not the configured one
    prefix = os.environ["CELERY_QUEUE_PREFIX"]
    log = open(tmp_path / "worker.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-l", "warning",
         "-Q", f"{prefix}.fast,{prefix}.webhooks", "-n", f"api-{os.getpid()}@%h"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url})
    yield process
    stop_process_group(process)
    log.close()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_delivers_a_signed_webhook_for_an_api_submission(forum, httpserver, worker):
    from moderation.tasks import dispatch_outbox

    received = []

    def handle(request):
        received.append(Webhook(secret).verify(request.get_data(as_text=True), dict(request.headers)))
        return Response("", status=204)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handle)
    hook = forum.http.post("/api/v1/webhooks", {"url": httpserver.url_for("/hook"), "events": ["submission.queued"]},
                           format="json").json()
    secret = hook["secret"]
    created = forum.http.post("/api/v1/submissions", post_payload("w-1", standing="new", disclosure=QUEUED_DISCLOSURE),
                              format="json").json()
    dispatch_outbox.delay()  # what beat sends every 10 s
    wait_for(lambda: received, message="the webhook (see the worker log)")
    assert received[0]["type"] == "submission.queued" and received[0]["data"]["id"] == created["id"]
    wait_for(lambda: WebhookDelivery.objects.filter(status="delivered").exists(), message="the delivery log")


@pytest.mark.django_db
def test_beat_tasks_call_the_outbox_and_delivery_services(forum, queued, httpserver):
    from moderation.tasks import deliver_due_webhooks, deliver_webhook, dispatch_outbox

    httpserver.expect_request("/hook", method="POST").respond_with_data("", status=204)
    forum.http.post("/api/v1/webhooks", {"url": httpserver.url_for("/hook"), "events": ["submission.queued"]},
                    format="json")
    assert dispatch_outbox() == 1  # also enqueues an immediate attempt on the real broker
    delivery = WebhookDelivery.objects.get()
    assert deliver_due_webhooks() == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    deliver_webhook(delivery.pk)  # the enqueued attempt arriving late does nothing
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and len(httpserver.log) == 1
