"""API security: object-level authorization on every object endpoint (BOLA), immediate revocation, and the
SSRF forms a reviewer tries first, refused at send time (not only at registration). The basic tenant and
address-list cases are in tests/api (test_tenant_isolation.py, test_ssrf.py); these extend them."""
from __future__ import annotations

import pytest

from moderation.models import ReviewItem, WebhookDelivery, WebhookEndpoint
from moderation.services.apikeys import api_key_issue, api_key_revoke, api_key_rotate
from moderation.services.webhooks import outbox_dispatch, webhook_deliver
from tests.api.conftest import post_payload

pytestmark = [pytest.mark.security, pytest.mark.django_db]


@pytest.fixture
def a_objects(forum, queued, httpserver):
    """Everything client A owns: a submission, a review item, a webhook with a delivery, a draft."""
    created, item = queued
    hook = forum.http.post("/api/v1/webhooks", {"url": httpserver.url_for("/hook"), "events": ["review.decided"]},
                           format="json").json()
    draft = forum.http.post("/api/v1/drafts", {"author_external_id": "u-1"}, format="json")
    assert draft.status_code == 201, draft.content
    return {"submission": created["id"], "item": str(item.public_id), "version": item.version,
            "webhook": hook["id"], "draft": draft.json()["id"]}


OBJECT_ENDPOINTS = [
    ("get", "/api/v1/submissions/{submission}", None),
    ("post", "/api/v1/review-items/{item}/claim", {}),
    ("post", "/api/v1/review-items/{item}/decision", {"action": "approve", "version": "{version}"}),
    ("get", "/api/v1/webhooks/{webhook}", None),
    ("delete", "/api/v1/webhooks/{webhook}", None),
    ("get", "/api/v1/webhooks/{webhook}/deliveries", None),
    ("get", "/api/v1/drafts/{draft}", None),
    ("post", "/api/v1/drafts/{draft}/assistance", {"kind": "drafting", "extent": "minor"}),
]


@pytest.mark.parametrize("method,path,data", OBJECT_ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in OBJECT_ENDPOINTS])
def test_another_client_gets_404_on_every_object_endpoint_and_changes_nothing(other_forum, forum, a_objects, method,
                                                                              path, data):
    url = path.format(**a_objects)
    body = None if data is None else {k: (a_objects["version"] if v == "{version}" else v) for k, v in data.items()}
    call = getattr(other_forum.http, method)
    response = call(url, body, format="json") if body is not None else call(url)
    assert response.status_code == 404, (url, response.status_code, response.content[:200])
    item = ReviewItem.objects.get(public_id=a_objects["item"])
    assert item.status == "open" and item.version == a_objects["version"]
    assert WebhookEndpoint.objects.filter(public_id=a_objects["webhook"]).exists()
    owner = getattr(forum.http, method)(url, body, format="json") if body is not None else getattr(
        forum.http, method)(url)
    assert owner.status_code in (200, 201, 204), (url, owner.status_code, owner.content[:200])  # it exists


def test_ids_of_another_type_or_made_up_are_404_not_500(forum, a_objects):
    for path in ("/api/v1/submissions/{item}", "/api/v1/webhooks/{submission}",
                 "/api/v1/review-items/{webhook}/claim", "/api/v1/drafts/{submission}"):
        url = path.format(**a_objects)
        response = forum.http.post(url, {}, format="json") if url.endswith("claim") else forum.http.get(url)
        assert response.status_code == 404, url


def test_revocation_rotation_and_disabling_take_effect_on_the_very_next_request(make_forum):
    forum = make_forum("forum-rev")
    assert forum.http.get("/api/v1/webhooks").status_code == 200
    from moderation.models import ApiKey

    api_key_revoke(key=ApiKey.objects.get(client=forum.client))
    assert forum.http.get("/api/v1/webhooks").status_code == 401

    second = make_forum("forum-rot")
    assert second.http.get("/api/v1/webhooks").status_code == 200
    rotated = api_key_rotate(client=second.client)
    assert second.http.get("/api/v1/webhooks").status_code == 401
    from rest_framework.test import APIClient

    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {rotated.secret}")
    assert fresh.get("/api/v1/webhooks").status_code == 200

    third = make_forum("forum-off")
    api_key_issue(client=third.client)
    third.client.is_active = False
    third.client.save(update_fields=["is_active"])
    assert third.http.get("/api/v1/webhooks").status_code == 401


# --- SSRF: every form of an internal address is refused when the webhook is sent ----------------------

SSRF_HOSTS = [
    "127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.0.0.1", "017700000001",  # loopback forms
    "10.0.0.5", "172.16.3.4", "192.168.0.10", "0xa000005",  # private, incl. hex
    "169.254.169.254", "2852039166",  # link-local / cloud metadata, incl. decimal
    "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[fe80::1]", "[fd00:ec2::254]", "[::ffff:a9fe:a9fe]",
    "0.0.0.0", "0",
    "[fec0::1]", "192.0.0.8",  # IPv6 site-local; the IETF's 192.0.0.0/24 (Python 3.11.7 calls both global)
    "internal.forum-a.test",  # DNS answering with a private address
]


def resolver(request, host):
    """Numeric forms go through the system resolver (getaddrinfo reads 2130706433 as 127.0.0.1, no network);
    the one name is answered by a fake DNS with a private address."""
    if host == "internal.forum-a.test":
        request.getfixturevalue("fake_dns")["internal.forum-a.test"] = ["10.9.8.7"]


@pytest.mark.parametrize("host", SSRF_HOSTS)
def test_internal_address_forms_are_refused_at_send_time(request, forum, queued, settings, httpserver, host):
    """Registered while private URLs were allowed (or before DNS changed): the delivery checks again and
    refuses without connecting."""
    resolver(request, host)
    response = forum.http.post("/api/v1/webhooks", {"url": httpserver.url_for("/hook"),
                                                    "events": ["submission.queued"]}, format="json")
    assert response.status_code == 201
    WebhookEndpoint.objects.update(url=f"http://{host}:{httpserver.port}/hook")
    settings.MODERATION = {**settings.MODERATION, "ALLOW_PRIVATE_WEBHOOK_URLS": False}
    [delivery_id] = outbox_dispatch()
    delivery = webhook_deliver(delivery_id=delivery_id)
    assert delivery.log[-1]["error"].startswith("refused:"), delivery.log
    assert "public addresses" in delivery.log[-1]["error"], delivery.log  # refused as internal, not unresolvable
    assert delivery.log[-1]["status_code"] is None and httpserver.log == []


@pytest.mark.parametrize("host", SSRF_HOSTS)
def test_internal_address_forms_are_refused_at_registration(request, forum, settings, host):
    resolver(request, host)
    settings.MODERATION = {**settings.MODERATION, "ALLOW_PRIVATE_WEBHOOK_URLS": False}
    response = forum.http.post("/api/v1/webhooks", {"url": f"http://{host}:8080/hook",
                                                    "events": ["submission.queued"]}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "url"
    message = response.json()["errors"][0]["message"]
    assert "public addresses" in message or message == "Enter a valid URL.", message  # numeric forms: both refuse


def test_a_redirect_to_an_internal_address_is_not_followed(forum, queued, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data(
        "", status=307, headers={"Location": httpserver.url_for("/internal-admin")})
    httpserver.expect_request("/internal-admin").respond_with_data("secret", status=200)
    forum.http.post("/api/v1/webhooks", {"url": httpserver.url_for("/hook"), "events": ["submission.queued"]},
                    format="json")
    [delivery_id] = outbox_dispatch()
    delivery = webhook_deliver(delivery_id=delivery_id)
    assert [entry.path for entry, _ in httpserver.log] == ["/hook"]  # the Location was never requested
    assert delivery.log[-1]["status_code"] == 307 and delivery.status == "pending"
    assert WebhookDelivery.objects.get(pk=delivery_id).log[-1]["error"] == "HTTP 307"


def test_a_submission_from_another_client_with_the_same_external_id_is_not_overwritten(forum, other_forum, submit):
    first = submit(forum, post_payload("same-id", body="Client A's own words, written by hand.")).json()
    submit(other_forum, post_payload("same-id", body="Client B tries to overwrite A's post."))
    detail = forum.http.get(f"/api/v1/submissions/{first['id']}").json()
    assert detail["revision"] == 1
