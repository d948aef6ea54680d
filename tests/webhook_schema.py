"""Check a real webhook body against the ``webhooks`` the OpenAPI document publishes (``/api/v1/schema``)."""
from __future__ import annotations

import copy
import json
from functools import lru_cache

import jsonschema

WEBHOOK_OBJECTS = ("WebhookSubmissionData", "WebhookReviewItem", "WebhookDecision")


@lru_cache(maxsize=1)
def _published() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def assert_body_matches_published_schema(event) -> dict:
    """Validate the body every delivery of ``event`` (an OutboxEvent) sends against its event's published
    schema, with undocumented keys refused too: a field added to the payload must be added to the schema."""
    from moderation.services.webhooks import webhook_body

    schema = _published()
    body = json.loads(webhook_body(event))
    ref = schema["webhooks"][event.type]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    components = copy.deepcopy(schema["components"])
    for name in (*WEBHOOK_OBJECTS, ref.rsplit("/", 1)[1]):
        components["schemas"][name]["additionalProperties"] = False
    jsonschema.Draft202012Validator({"$ref": ref, "components": components},
                                    format_checker=jsonschema.FormatChecker()).validate(body)
    return body
