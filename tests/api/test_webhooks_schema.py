"""The OpenAPI document publishes the webhook deliveries' bodies (OpenAPI 3.1 ``webhooks``), and what is
delivered matches them: a forum in another language can generate its receiver's types from ``/api/v1/schema``."""
from __future__ import annotations

import pytest

from moderation.models import OutboxEvent
from tests.webhook_schema import assert_body_matches_published_schema

from .conftest import HUMAN_ONLY, post_payload

pytestmark = pytest.mark.django_db


def test_the_schema_publishes_one_webhook_per_event_type(forum):
    from moderation.services.notify import EVENT_TYPES

    schema = forum.http.get("/api/v1/schema", HTTP_ACCEPT="application/json").json()

    assert schema["openapi"].startswith("3.1")
    assert set(schema["webhooks"]) == set(EVENT_TYPES)
    for event_type in EVENT_TYPES:
        operation = schema["webhooks"][event_type]["post"]
        assert "webhook-signature" in operation["description"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        envelope = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert envelope["properties"]["type"]["enum"] == [event_type]
        assert set(envelope["required"]) == {"type", "timestamp", "data"}


def test_the_webhook_bodies_statuses_are_the_api_s_named_types(forum):
    """One type per status for a generated client: a webhook's review-item status is the ReviewStatusEnum the
    API's review items use, not a second, inline enum."""
    schemas = forum.http.get("/api/v1/schema", HTTP_ACCEPT="application/json").json()["components"]["schemas"]

    def ref(component, prop):
        return schemas[component]["properties"][prop]["$ref"].rsplit("/", 1)[1]

    assert ref("WebhookReviewItem", "status") == ref("ReviewItemOut", "status") == "ReviewStatusEnum"
    assert ref("WebhookReviewItem", "kind") == "ReviewItemKindEnum"
    assert ref("WebhookSubmissionData", "status") == ref("SubmissionOut", "status") == "SubmissionStatusEnum"
    assert ref("WebhookDecision", "action") == ref("DecisionOut", "action")
    named = {tuple(s["enum"]) for name, s in schemas.items() if name.endswith("Enum")}
    inline = [(name, prop) for name in ("WebhookReviewItem", "WebhookDecision", "WebhookSubmissionData")
              for prop, field in schemas[name]["properties"].items() if tuple(field.get("enum", ())) in named]
    assert inline == []


def test_evaluated_queued_and_decided_deliveries_match_the_published_schema(forum, submit, queued):
    """A published post, a held one, a moderator's rejection with a message, and a reader's report."""
    _, item = queued
    fine = submit(forum, post_payload("fine-1", disclosure=HUMAN_ONLY))
    assert fine.status_code == 202
    reported = forum.http.post(f"/api/v1/submissions/{fine.json()['id']}/reports",
                               {"reporter_external_id": "u-42", "reason": "undisclosed_ai"}, format="json")
    assert reported.status_code == 201, reported.json()
    claimed = forum.http.post(f"/api/v1/review-items/{item.public_id}/claim", {"version": item.version},
                              format="json").json()
    decided = forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                              {"action": "reject", "version": claimed["version"], "reason": "undisclosed_ai",
                               "message": "Please declare the drafted section."}, format="json")
    assert decided.status_code == 200, decided.json()

    bodies = [assert_body_matches_published_schema(event) for event in OutboxEvent.objects.order_by("id")]

    by_type = {}
    for body in bodies:
        by_type.setdefault(body["type"], []).append(body["data"])
    assert {d["outcome"] for d in by_type["submission.evaluated"]} == {"publish", "hold"}
    assert by_type["submission.queued"][0]["review_item"]["reasons"]
    assert ["reader_report"] in [d["review_item"]["reasons"] for d in by_type["submission.queued"]]
    decision = by_type["review.decided"][0]
    assert decision["decision"]["message"] == "Please declare the drafted section."
    assert decision["statement_of_reasons"]


def test_an_undocumented_payload_field_fails_the_check(forum, queued):
    """The check is strict: it would catch a field added to the payload but not to the schema."""
    event = OutboxEvent.objects.filter(type="submission.queued").latest("id")
    event.payload["data"]["review_item"]["moderator_notes"] = "internal"

    with pytest.raises(Exception, match="moderator_notes"):
        assert_body_matches_published_schema(event)

