"""The webhook deliveries' bodies, as OpenAPI 3.1 ``webhooks`` (``SPECTACULAR_SETTINGS["WEBHOOKS"]``).

These serializers only describe what :func:`moderation.services.notify.outbox_record` writes and
:func:`moderation.services.webhooks.webhook_body` sends, so that a forum in another language can generate its
receiver's types from ``/api/v1/schema``; nothing is serialized with them. ``tests/api/test_webhooks_schema.py``
validates real deliveries against the published schema, so the two cannot drift apart silently.
"""
from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, OpenApiWebhook, extend_schema
from rest_framework import serializers

from ..models import DecisionAction, EvaluationOutcome, ReviewItemKind, ReviewStatus, SubmissionStatus


class WebhookReviewItem(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ReviewItemKind.choices)
    status = serializers.ChoiceField(choices=ReviewStatus.choices)
    reasons = serializers.ListField(child=serializers.CharField(), help_text="What the moderator sees.")
    priority = serializers.IntegerField()
    version = serializers.IntegerField(help_text="Send it back with a claim or decision (optimistic locking).")


class WebhookDecision(serializers.Serializer):
    action = serializers.ChoiceField(choices=DecisionAction.choices)
    reason = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True, help_text="What the author is told.")
    decided_at = serializers.DateTimeField(allow_null=True)
    revision = serializers.IntegerField(allow_null=True, help_text="The revision the decision was about.")
    automated = serializers.BooleanField(required=False, help_text="Present (true) on an automatic rejection.")
    statement_of_reasons = serializers.UUIDField(required=False, help_text="Present on an automatic rejection.")


class WebhookSubmissionData(serializers.Serializer):
    id = serializers.UUIDField()
    external_id = serializers.CharField(help_text="The post's id in your forum.")
    revision = serializers.IntegerField(allow_null=True, help_text="The submission's current revision.")
    status = serializers.ChoiceField(choices=SubmissionStatus.choices)
    visible = serializers.BooleanField()
    review_item = WebhookReviewItem(required=False)
    decision = WebhookDecision(required=False)
    outcome = serializers.ChoiceField(choices=EvaluationOutcome.choices, required=False,
                                      help_text="submission.evaluated: the policy's verdict on that revision.")
    reasons = serializers.ListField(child=serializers.CharField(), required=False,
                                    help_text="submission.evaluated: the verdict's reasons.")
    priority = serializers.IntegerField(required=False, help_text="submission.evaluated: the verdict's priority.")
    statement_of_reasons = serializers.UUIDField(
        required=False, help_text="review.decided: the statement's id (GET /submissions/{id}/statement-of-reasons).")


def _envelope(event_type: str) -> type[serializers.Serializer]:
    name = "".join(part.capitalize() for part in event_type.replace(".", "_").split("_")) + "Event"
    return type(name, (serializers.Serializer,), {
        "type": serializers.ChoiceField(choices=[event_type]),
        "timestamp": serializers.DateTimeField(help_text="When the event happened (the same on every retry)."),
        "data": WebhookSubmissionData(),
        "__doc__": f"The body of a `{event_type}` delivery.",
    })


_HEADERS = ("Signed with the Standard Webhooks headers webhook-id (deduplicate on it), webhook-timestamp and "
            "webhook-signature (v1, HMAC-SHA256 of \"id.timestamp.body\"). Answer 2xx within 10 s; anything else "
            "is retried with exponential backoff for about 26 hours.")
_SUMMARIES = {
    "submission.evaluated": "The policy evaluated a revision (published, held, queued or rejected).",
    "submission.queued": "The post is waiting for a moderator (new item, a reader's report, an appeal, a new "
                         "revision by its author or by someone else).",
    "review.decided": "A moderator decided, or a rule rejected the post automatically.",
}


def _webhook(event_type: str) -> OpenApiWebhook:
    return OpenApiWebhook(name=event_type, decorator=extend_schema(
        summary=_SUMMARIES[event_type], description=_HEADERS, request=_envelope(event_type),
        responses={200: OpenApiResponse(description="Received: any 2xx stops the retries.")}))


submission_evaluated = _webhook("submission.evaluated")
submission_queued = _webhook("submission.queued")
review_decided = _webhook("review.decided")


def refer_to_named_enums(result, generator, request, public):
    """Postprocessing hook, after drf-spectacular's enum hook: an inline enum in a component that has the same
    values as a named enum (``ENUM_NAME_OVERRIDES``) refers to it instead. drf-spectacular names the API's
    enums but writes the webhook bodies' inline, so a generated client would get two types for one status."""
    schemas = result.get("components", {}).get("schemas", {})

    def signature(schema):
        return frozenset(map(str, schema.get("enum", ()))), str(schema.get("type"))

    named = {signature(s): name for name, s in schemas.items() if name.endswith("Enum") and len(s.get("enum", ())) > 1}
    for component in schemas.values():
        for prop, field in component.get("properties", {}).items():
            name = named.get(signature(field)) if "enum" in field else None
            if name is None:
                continue
            rest = {k: v for k, v in field.items() if k not in ("enum", "type", "description")}
            if field.get("description", "") != schemas[name].get("description", "") and field.get("description"):
                rest["description"] = field["description"]
            component["properties"][prop] = ({"allOf": [{"$ref": f"#/components/schemas/{name}"}], **rest} if rest
                                             else {"$ref": f"#/components/schemas/{name}"})
    return result
