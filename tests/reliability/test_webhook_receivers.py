"""Hostile or broken webhook receivers cannot hold the delivery worker: the answer's body is never read (a
huge or endless body costs nothing) and the whole attempt has a deadline (a receiver trickling its headers
is cut off). A disabled API client receives nothing."""
from __future__ import annotations

import socket
import threading
import time

import pytest
from werkzeug import Response

from moderation.models import WebhookDelivery
from moderation.services import webhooks as webhook_services
from moderation.services.webhooks import outbox_dispatch, webhooks_deliver_due

pytestmark = [pytest.mark.reliability, pytest.mark.django_db]


def register(forum, url):
    response = forum.http.post("/api/v1/webhooks", {"url": url, "events": ["submission.queued"]}, format="json")
    assert response.status_code == 201, response.json()


def deliver_once() -> tuple[float, WebhookDelivery]:
    outbox_dispatch()
    started = time.monotonic()
    webhooks_deliver_due()
    return time.monotonic() - started, WebhookDelivery.objects.get()


def test_a_huge_answer_is_not_read(forum, queued, httpserver):
    sent = {"bytes": 0}

    def huge(request):
        def body():  # 2 GB if anyone reads it all
            for _ in range(2048):
                sent["bytes"] += 1 << 20
                yield b"x" * (1 << 20)
        return Response(body(), status=200, content_type="application/octet-stream")

    httpserver.expect_request("/huge", method="POST").respond_with_handler(huge)
    register(forum, httpserver.url_for("/huge"))
    elapsed, delivery = deliver_once()
    assert delivery.status == "delivered" and delivery.log[-1]["status_code"] == 200
    assert elapsed < 5, elapsed
    assert sent["bytes"] < 64 << 20  # the receiver was cut off long before 2 GB


def test_a_slowly_trickled_body_does_not_hold_the_worker(forum, queued, httpserver):
    def trickle(request):
        def body():  # one byte a second for a minute: never a per-read timeout
            for _ in range(60):
                yield b"."
                time.sleep(1)
        return Response(body(), status=200)

    httpserver.expect_request("/slow", method="POST").respond_with_handler(trickle)
    register(forum, httpserver.url_for("/slow"))
    elapsed, delivery = deliver_once()
    assert delivery.status == "delivered"
    assert elapsed < 5, elapsed


@pytest.fixture
def trickling_headers():
    """A raw receiver that sends its status line, then one header byte every 2 s (a slowloris answer)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                for byte in b"X-Slow: " + b"a" * 100:
                    if stop.wait(2):
                        break
                    conn.sendall(bytes([byte]))
            except OSError:
                pass
            finally:
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/hook"
    stop.set()
    thread.join(timeout=5)
    server.close()


def test_a_receiver_trickling_its_headers_is_cut_off_at_the_deadline(forum, queued, trickling_headers,
                                                                      monkeypatch):
    monkeypatch.setattr(webhook_services, "DEADLINE", 3.0)
    register(forum, trickling_headers)
    elapsed, delivery = deliver_once()
    assert elapsed < 6, elapsed  # without the deadline: ~200 s (each byte arrives within the read timeout)
    assert delivery.status == "pending" and delivery.log[-1]["error"] == "timeout: no answer within 3 s"
    assert delivery.next_attempt_at is not None  # retried later, with backoff


def test_a_disabled_client_receives_no_webhooks(forum, queued, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("", status=204)
    register(forum, httpserver.url_for("/hook"))
    forum.client.is_active = False
    forum.client.save(update_fields=["is_active"])
    assert outbox_dispatch() == []
    assert webhooks_deliver_due() == 0
    assert httpserver.log == []


def test_a_client_disabled_after_dispatch_gets_no_attempt(forum, queued, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("", status=204)
    register(forum, httpserver.url_for("/hook"))
    outbox_dispatch()
    forum.client.is_active = False
    forum.client.save(update_fields=["is_active"])
    webhooks_deliver_due()
    assert httpserver.log == []
    assert WebhookDelivery.objects.get().status == "failed"
