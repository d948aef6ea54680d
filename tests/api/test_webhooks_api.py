"""Managing webhooks: ``POST`` → 201 with the signing secret shown once; ``GET`` list/detail never show it
again; ``DELETE`` removes it; bad URLs and events are 400 with the field named."""
import pytest
from standardwebhooks.webhooks import Webhook

from moderation.models import WebhookEndpoint

from .conftest import error_fields

pytestmark = pytest.mark.django_db


def test_register_shows_the_secret_once(forum, httpserver):
    url = httpserver.url_for("/hook")
    response = forum.http.post("/api/v1/webhooks", {"url": url, "events": ["review.decided", "submission.queued"]},
                               format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["secret"].startswith("whsec_")
    Webhook(body["secret"])  # a valid Standard Webhooks secret
    assert body["url"] == url and body["events"] == ["review.decided", "submission.queued"]
    listed = forum.http.get("/api/v1/webhooks").json()
    assert [w["id"] for w in listed] == [body["id"]] and "secret" not in listed[0]
    detail = forum.http.get(f"/api/v1/webhooks/{body['id']}").json()
    assert "secret" not in detail and detail["events"] == body["events"]
    assert forum.http.get(f"/api/v1/webhooks/{body['id']}/deliveries").json()["results"] == []


def test_delete_removes_the_webhook(forum, httpserver):
    created = forum.http.post("/api/v1/webhooks", {"url": httpserver.url_for("/h"), "events": ["review.decided"]},
                              format="json").json()
    assert forum.http.delete(f"/api/v1/webhooks/{created['id']}").status_code == 204
    assert forum.http.get(f"/api/v1/webhooks/{created['id']}").status_code == 404
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("payload, field", [
    ({"url": "http://localhost/h", "events": []}, "events"),
    ({"url": "http://localhost/h", "events": ["post.liked"]}, "events.0"),
    ({"url": "http://localhost/h"}, "events"),
    ({"url": "ftp://localhost/h", "events": ["review.decided"]}, "url"),
    ({"url": "not a url", "events": ["review.decided"]}, "url"),
    ({"url": "http://user:pw@localhost/h", "events": ["review.decided"]}, "url"),
    ({"url": "http://no-such-host.invalid/h", "events": ["review.decided"]}, "url"),
])
def test_invalid_webhook_is_400(forum, fake_dns, payload, field):
    response = forum.http.post("/api/v1/webhooks", payload, format="json")
    assert response.status_code == 400, response.json()
    assert error_fields(response) == [field]
    assert not WebhookEndpoint.objects.exists()


def test_endpoints_per_client_are_bounded(forum, httpserver):
    from moderation.services.webhooks import MAX_ENDPOINTS_PER_CLIENT

    for i in range(MAX_ENDPOINTS_PER_CLIENT):
        assert forum.http.post("/api/v1/webhooks", {"url": httpserver.url_for(f"/h{i}"), "events": ["review.decided"]},
                               format="json").status_code == 201
    response = forum.http.post("/api/v1/webhooks", {"url": httpserver.url_for("/x"), "events": ["review.decided"]},
                               format="json")
    assert response.status_code == 400
