"""Redis outages: the API keeps answering while the shared cache (the throttle's counters) is down, and a
black-holed broker cannot hang a submission: the post is saved, the enqueue gives up in seconds."""
from __future__ import annotations

import logging
import socket
import threading
import time

import pytest
from django.core.cache import caches
from django.db import connection

from tests.api.conftest import post_payload
from tests.pipeline.conftest import celery_broker

pytestmark = [pytest.mark.reliability, pytest.mark.django_db]


@pytest.fixture
def cache_on(settings, private_redis):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": private_redis.url}}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_client": "1000/min"}}
    caches["default"].clear()
    return private_redis


def test_the_api_fails_open_while_the_throttle_cache_is_down(forum, cache_on, caplog):
    assert forum.http.get("/api/v1/webhooks").status_code == 200
    cache_on.stop()
    caplog.set_level(logging.WARNING, logger="moderation.api.auth")
    started = time.monotonic()
    codes = [forum.http.get("/api/v1/webhooks").status_code for _ in range(5)]
    codes.append(forum.http.post("/api/v1/submissions", post_payload("p-outage"), format="json").status_code)
    assert codes == [200] * 5 + [202]
    assert time.monotonic() - started < 15  # each call waits at most the socket timeout
    assert "API throttle skipped: the cache is unreachable" in caplog.text


def test_throttling_still_counts_when_the_cache_is_up(forum, cache_on, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_client": "2/min"}}
    codes = [forum.http.get("/api/v1/webhooks").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


@pytest.fixture
def black_hole():
    """A TCP port that accepts connections and never answers (a firewall that drops, a hung Redis)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    server.close()


@pytest.mark.django_db(transaction=True)
def test_a_black_holed_broker_does_not_hang_a_submission(make_forum, black_hole, settings):
    from moderation.models import Revision

    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": ["tests.pipeline.classifiers.ScriptedClassifier"]}
    forum = make_forum("forum-bh")
    outcome = {}

    def submit():
        try:
            outcome["response"] = forum.http.post("/api/v1/submissions", post_payload("p-bh"), format="json")
        finally:
            connection.close()

    with celery_broker(black_hole):
        started = time.monotonic()
        thread = threading.Thread(target=submit, daemon=True)
        thread.start()
        thread.join(timeout=60)
        elapsed = time.monotonic() - started
    assert not thread.is_alive(), "the submission hung on the black-holed broker"
    assert outcome["response"].status_code == 202
    assert elapsed < 30, elapsed
    revision = Revision.objects.get(submission__external_id="p-bh")
    assert revision.evaluated_at is None  # saved, waiting for the sweep
