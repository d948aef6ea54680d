"""Webhook delivery against a real local HTTP receiver that verifies signatures with the ``standardwebhooks``
library: the outbox becomes deliveries, every attempt is signed and logged, retries keep the ``webhook-id``
and back off, a stale replay is refused by the receiver, and the address is checked again at delivery."""
from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
import time_machine
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug import Response

from moderation.models import OutboxEvent, WebhookDelivery
from moderation.services import webhooks as webhook_services
from moderation.services.webhooks import MAX_ATTEMPTS, outbox_dispatch, webhook_deliver, webhooks_deliver_due

from .conftest import post_payload

pytestmark = pytest.mark.django_db


class Receiver:
    """The other forum's endpoint: verifies each request and answers with the next queued status."""

    def __init__(self, httpserver, path="/hook"):
        self.httpserver, self.path = httpserver, path
        self.secret = None
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        httpserver.expect_request(path, method="POST").respond_with_handler(self.handle)

    @property
    def url(self):
        return self.httpserver.url_for(self.path)

    def handle(self, request):
        body = request.get_data(as_text=True)
        headers = dict(request.headers)
        try:
            payload = Webhook(self.secret).verify(body, headers)
            verified = True
        except WebhookVerificationError as exc:
            payload, verified = str(exc), False
        self.requests.append({"body": body, "headers": headers, "verified": verified, "payload": payload})
        if not verified:
            return Response("bad signature", status=400)
        return Response("", status=self.statuses.pop(0) if self.statuses else 204)

    def replay(self, captured: dict) -> httpx.Response:
        headers = {k: v for k, v in captured["headers"].items() if k.lower().startswith("webhook-")}
        headers["content-type"] = "application/json"
        return httpx.post(self.url, content=captured["body"].encode(), headers=headers, timeout=5)


@pytest.fixture
def receiver(httpserver):
    return Receiver(httpserver)


def register(forum, receiver, events=("submission.queued", "review.decided")):
    response = forum.http.post("/api/v1/webhooks", {"url": receiver.url, "events": list(events)}, format="json")
    assert response.status_code == 201
    receiver.secret = response.json()["secret"]
    return response.json()


def make_due():
    WebhookDelivery.objects.filter(status="pending").update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_signed_delivery_verifies_and_a_stale_replay_is_refused(forum, receiver, queued):
    hook = register(forum, receiver)
    created, item = queued
    assert OutboxEvent.objects.filter(type="submission.queued").count() == 1
    delivery_ids = outbox_dispatch()
    assert len(delivery_ids) == 1  # submission.evaluated is not subscribed
    assert webhooks_deliver_due() == 1
    [request] = receiver.requests
    assert request["verified"], request["payload"]
    event = OutboxEvent.objects.get(type="submission.queued")
    assert request["headers"]["Webhook-Id"] == str(event.event_id)
    assert request["headers"]["Webhook-Signature"].startswith("v1,")
    assert request["payload"]["type"] == "submission.queued"
    assert request["payload"]["data"]["id"] == created["id"]
    assert request["payload"]["data"]["review_item"]["id"] == str(item.public_id)
    assert WebhookDelivery.objects.get().status == "delivered"

    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        replayed = receiver.replay(request)
    assert replayed.status_code == 400
    assert receiver.requests[-1]["payload"] == "Message timestamp too old"

    tampered = dict(request, body=request["body"].replace("queued", "approved"))
    assert receiver.replay(tampered).status_code == 400

    log = forum.http.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()["results"]
    assert log[0]["status"] == "delivered" and log[0]["attempts"] == 1
    assert log[0]["log"][0]["status_code"] == 204 and log[0]["log"][0]["latency_ms"] >= 0


def test_decision_through_the_api_is_announced(forum, receiver, queued):
    register(forum, receiver, events=["review.decided"])
    created, item = queued
    forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                    {"action": "reject", "reason": "undisclosed", "message": "Mark the AI text.",
                     "version": item.version}, format="json")
    outbox_dispatch()
    webhooks_deliver_due()
    [request] = receiver.requests
    assert request["verified"]
    data = request["payload"]["data"]
    assert request["payload"]["type"] == "review.decided"
    assert data["status"] == "rejected" and data["decision"]["action"] == "reject"
    assert data["decision"]["message"] == "Mark the AI text."


def test_failed_attempts_back_off_and_keep_the_same_webhook_id(forum, receiver, queued):
    hook = register(forum, receiver)
    receiver.statuses = [500, 503]
    [delivery_id] = outbox_dispatch()
    before = timezone.now()
    webhook_deliver(delivery_id=delivery_id)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert before + timedelta(seconds=29) < delivery.next_attempt_at < timezone.now() + timedelta(seconds=31)
    assert webhooks_deliver_due() == 0  # not due yet: retries wait for next_attempt_at, polled on beat

    make_due()
    webhooks_deliver_due()
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at - timezone.now() > timedelta(seconds=55)  # doubled
    make_due()
    webhooks_deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.next_attempt_at is None
    ids = {r["headers"]["Webhook-Id"] for r in receiver.requests}
    assert len(receiver.requests) == 3 and len(ids) == 1 and all(r["verified"] for r in receiver.requests)
    log = forum.http.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()["results"][0]["log"]
    assert [e["status_code"] for e in log] == [500, 503, 204]
    assert [e["error"] for e in log] == ["HTTP 500", "HTTP 503", ""]


def test_a_failing_endpoint_is_probed_by_one_delivery_while_the_others_wait_without_using_attempts(
        forum, receiver, submit):
    """A receiver that fails (or stalls for the whole deadline) got every new event tried at once: a client whose
    endpoints hang held the shared webhook workers from every other client's deliveries (a helper's review)."""
    register(forum, receiver, events=["submission.evaluated"])
    for number in range(4):
        submit(forum, post_payload(f"p-{number}"))
    receiver.statuses = [500, 500]
    first, *others = outbox_dispatch()

    for delivery_id in (first, *others):  # as the workers would, each new delivery at once
        webhook_deliver(delivery_id=delivery_id)

    assert len(receiver.requests) == 1
    probe = WebhookDelivery.objects.get(pk=first)
    waiting = WebhookDelivery.objects.filter(pk__in=others)
    assert {(d.attempts, d.status, d.next_attempt_at) for d in waiting} == {(0, "pending", probe.next_attempt_at)}

    make_due()
    webhooks_deliver_due()  # the probe fails again; the others wait for its next try
    assert len(receiver.requests) == 2 and not WebhookDelivery.objects.filter(pk__in=others, attempts__gt=0).exists()

    make_due()
    webhooks_deliver_due()  # the receiver is back: the probe, then everything it held back
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    assert len(receiver.requests) == 2 + 4 and WebhookDelivery.objects.get(pk=others[0]).attempts == 1


def test_a_delivery_waiting_for_a_failing_endpoint_ends_within_the_retry_period_as_a_tried_one_does(
        forum, receiver, submit):
    """Deliveries waiting for a failing endpoint's probe used no attempts, so they never ran out: each became the
    probe in turn, for another 14 attempts, and a receiver gone for good kept every later event pending for ever
    (one a day at most ended; none was pruned). A waiting delivery ends when a tried one would: about 26 hours
    after it was made, failed, its log saying why."""
    register(forum, receiver, events=["submission.evaluated"])
    for number in range(3):
        submit(forum, post_payload(f"p-{number}"))
    receiver.statuses = [500] * (3 * MAX_ATTEMPTS)
    dispatched = timezone.now()
    ids = outbox_dispatch()
    for delivery_id in ids:
        webhook_deliver(delivery_id=delivery_id)

    span = sum((webhook_services.webhook_backoff(attempt) for attempt in range(1, MAX_ATTEMPTS)), timedelta())
    end = dispatched + span + timedelta(hours=1)
    pending = WebhookDelivery.objects.filter(status="pending")
    while pending.exists() and (due := pending.order_by("next_attempt_at")[0].next_attempt_at) < end:
        with time_machine.travel(due + timedelta(seconds=1), tick=False):  # beat, when the next try comes due
            webhooks_deliver_due()

    deliveries = WebhookDelivery.objects.order_by("pk")
    assert [d.status for d in deliveries] == ["failed"] * 3
    assert len(receiver.requests) == MAX_ATTEMPTS  # one probe at a time: never one request per event per step
    assert "endpoint" in deliveries.last().log[-1]["error"] and deliveries.last().log[-1]["status_code"] is None


def test_finished_deliveries_and_their_events_are_forgotten_after_the_retention_period(forum, receiver, submit,
                                                                                      settings):
    """Outbox events and deliveries were never pruned (an operator's review): a busy forum's tables grew
    forever. Past ``WEBHOOK_RETENTION_DAYS`` an event whose deliveries all ended goes, with them; one still
    being retried, or not yet dispatched, stays."""
    from moderation.tasks import prune_webhook_records

    register(forum, receiver, events=["submission.evaluated"])
    submit(forum, post_payload("p-old"))
    receiver.statuses = [204, 500]
    delivered, retried = outbox_dispatch(), None
    webhooks_deliver_due()
    submit(forum, post_payload("p-retried"))
    [retried] = outbox_dispatch()
    webhooks_deliver_due()
    submit(forum, post_payload("p-undispatched"))
    assert {d.status for d in WebhookDelivery.objects.all()} == {"delivered", "pending"}
    assert settings.MODERATION.get("WEBHOOK_RETENTION_DAYS", 30) == 30

    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert prune_webhook_records() == 0
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert prune_webhook_records() == 1

    assert list(WebhookDelivery.objects.values_list("pk", flat=True)) == [retried]
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 1
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} >= {"moderation.prune_webhook_records"}

    settings.MODERATION = {**settings.MODERATION, "WEBHOOK_RETENTION_DAYS": None}
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        WebhookDelivery.objects.update(status="failed")
        assert prune_webhook_records() == 0


def test_retries_span_a_day_so_a_receiver_down_overnight_loses_nothing():
    """8 attempts gave up about an hour after the first, though the docs spoke of waits "up to 6 h"."""
    from datetime import timedelta

    from moderation.services.webhooks import webhook_backoff

    span = sum((webhook_backoff(attempt) for attempt in range(1, MAX_ATTEMPTS)), timedelta())
    assert timedelta(hours=24) <= span <= timedelta(hours=30)


def test_gives_up_after_the_last_attempt(forum, receiver, queued):
    register(forum, receiver)
    receiver.statuses = [500] * MAX_ATTEMPTS
    [delivery_id] = outbox_dispatch()
    for _ in range(MAX_ATTEMPTS):
        make_due()
        assert webhook_deliver(delivery_id=delivery_id) is not None
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == MAX_ATTEMPTS and delivery.next_attempt_at is None
    assert webhook_deliver(delivery_id=delivery_id) is None
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_timeout_is_logged_and_retried(forum, httpserver, queued, monkeypatch):
    import time

    monkeypatch.setattr(webhook_services, "TIMEOUT", 0.3)
    httpserver.expect_request("/slow", method="POST").respond_with_handler(
        lambda request: (time.sleep(0.8), Response("", status=204))[1])
    forum.http.post("/api/v1/webhooks", {"url": httpserver.url_for("/slow"), "events": ["submission.queued"]},
                    format="json")
    [delivery_id] = outbox_dispatch()
    delivery = webhook_deliver(delivery_id=delivery_id)
    assert delivery.status == "pending" and delivery.next_attempt_at > timezone.now()
    assert "Timeout" in delivery.log[0]["error"] and delivery.log[0]["status_code"] is None


def test_request_goes_to_the_checked_address_with_the_original_host(forum, receiver, queued, fake_dns):
    """The name is resolved once, checked, and the connection goes to that address (no second lookup)."""
    port = receiver.httpserver.port
    fake_dns["hooks.forum-a.test"] = ["127.0.0.1"]
    register(forum, receiver)
    from moderation.models import WebhookEndpoint

    WebhookEndpoint.objects.update(url=f"http://hooks.forum-a.test:{port}/hook")
    outbox_dispatch()
    webhooks_deliver_due()
    [request] = receiver.requests
    assert request["verified"]
    assert request["headers"]["Host"] == f"hooks.forum-a.test:{port}"


def test_address_is_checked_again_at_delivery(forum, receiver, queued, settings):
    register(forum, receiver)  # allowed while ALLOW_PRIVATE_WEBHOOK_URLS is on (test settings)
    settings.MODERATION = {**settings.MODERATION, "ALLOW_PRIVATE_WEBHOOK_URLS": False}
    [delivery_id] = outbox_dispatch()
    delivery = webhook_deliver(delivery_id=delivery_id)
    assert receiver.requests == []
    assert delivery.status == "pending" and delivery.log[0]["error"].startswith("refused:")
    assert "loopback" in delivery.log[0]["error"]


def test_dispatch_is_per_client_per_event_and_runs_once(forum, other_forum, receiver, httpserver, queued, submit):
    register(forum, receiver, events=["submission.evaluated"])
    other = other_forum.http.post("/api/v1/webhooks", {"url": httpserver.url_for("/other"),
                                                       "events": ["submission.evaluated"]}, format="json").json()
    submit(other_forum, post_payload("b-1"))
    created = outbox_dispatch()
    assert outbox_dispatch() == []
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()
    by_endpoint = {d.endpoint.public_id.hex: d.event.client.name for d in WebhookDelivery.objects.filter(pk__in=created)}
    assert len(created) == 2
    assert sorted(by_endpoint.values()) == ["forum-a", "forum-b"]
    assert other["id"].replace("-", "") in by_endpoint


def test_body_is_the_same_json_on_every_attempt(forum, receiver, queued):
    register(forum, receiver)
    receiver.statuses = [500]
    [delivery_id] = outbox_dispatch()
    webhook_deliver(delivery_id=delivery_id)
    make_due()
    webhook_deliver(delivery_id=delivery_id)
    first, second = receiver.requests
    assert first["body"] == second["body"]
    assert json.loads(first["body"])["timestamp"]


def test_endpoint_deleted_during_an_attempt_is_not_an_error(forum, receiver, queued, monkeypatch):
    hook = register(forum, receiver)
    [delivery_id] = outbox_dispatch()
    real_send = webhook_services._send

    def send_then_delete(delivery, **kwargs):
        entry = real_send(delivery, **kwargs)
        forum.http.delete(f"/api/v1/webhooks/{hook['id']}")
        return entry

    monkeypatch.setattr(webhook_services, "_send", send_then_delete)
    assert webhook_deliver(delivery_id=delivery_id) is None
    assert not WebhookDelivery.objects.exists() and len(receiver.requests) == 1


@pytest.mark.parametrize("days, refused", [(30, False), (0.5, False), (None, False), (0, True), (-1, True),
                                           ("30", True), (True, True)])
def test_a_retention_that_is_not_a_number_of_days_is_named_by_the_checks(settings, days, refused):
    from django.core.checks import run_checks

    settings.MODERATION = {**settings.MODERATION, "WEBHOOK_RETENTION_DAYS": days}
    assert ("moderation.E007" in [message.id for message in run_checks()]) is refused
