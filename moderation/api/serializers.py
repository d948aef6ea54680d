"""Request shapes (validated here, then handed to services) and response shapes (for the OpenAPI document).

Responses are built by :mod:`moderation.api.selectors`; the ``…Out`` serializers describe them for
drf-spectacular, and the schemathesis test checks that what the API sends matches what they describe.
"""
from __future__ import annotations

import math
from typing import Any

from rest_framework import serializers

from disclosure.labels import LABELS

from ..models import AuthorStanding, DecisionAction, ResultStatus, ReviewItemKind, ReviewStatus, SubmissionStatus
from ..services.notify import EVENT_TYPES

HEALTH_STATES = ["ok", "unavailable"]
DELIVERY_STATUSES = ["pending", "delivered", "failed"]
LABEL_VALUES = sorted(LABELS)


def _first_bad_leaf(value: Any, bad, path: str = "") -> str | None:
    """Dotted path of the first string, number or key in a JSON value for which ``bad`` is true, or None."""
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if bad(str(key)):
                return sub
            found = _first_bad_leaf(item, bad, sub)
            if found is not None:
                return found
        return None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_bad_leaf(item, bad, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
        return None
    return path if bad(value) else None


def _unstorable_text(value: Any) -> bool:
    """Text PostgreSQL cannot store: NUL or lone surrogates."""
    if not isinstance(value, str):
        return False
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _unicode_problem(value: Any) -> str | None:
    """Text PostgreSQL cannot store (NUL, lone surrogates) anywhere in a JSON value → where it is."""
    return _first_bad_leaf(value, _unstorable_text)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: ``"1"`` and ``1.0`` are refused (DRF's IntegerField accepts both),
    so a client that sends the wrong type learns it here rather than by luck."""

    default_error_messages = {"invalid": "A JSON integer is required (not a string or a decimal)."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextField(serializers.CharField):
    """Text kept exactly as sent (offsets index into it) and storable (no NUL, no lone surrogates)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if _unicode_problem(value) is not None:
            raise serializers.ValidationError("Text must be valid Unicode without NUL characters.")
        return value


class IdField(TextField):
    """An id from the client forum: kept as sent, but not empty or only whitespace (it names a post or an author)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value.strip():
            raise serializers.ValidationError("Send a non-empty id (whitespace alone is not an id).")
        return value


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a typo (``disclosur``) is an error, not silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(map(str, data)) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class AuthorIn(StrictSerializer):
    external_id = IdField(max_length=200, help_text="The author's id in your forum.")
    display_name = TextField(max_length=200, required=False, allow_blank=True, default="")
    standing = serializers.ChoiceField(choices=AuthorStanding.choices, default=AuthorStanding.NEW,
                                       help_text="How much your forum trusts this author; the policy uses it.")


def _non_finite_number(value: Any) -> str | None:
    """Dotted path of the first number JSON cannot represent (``1e400`` parses as infinity), or None."""
    return _first_bad_leaf(value, lambda v: isinstance(v, float) and not math.isfinite(v))


class DisclosureField(serializers.JSONField):
    def to_internal_value(self, data):
        where = _non_finite_number(data)
        if where is not None:  # DRF would blame the whole field; say which number
            message = "This number is out of range."
            raise serializers.ValidationError({where: [message]} if where else message)
        value = super().to_internal_value(data)
        where = _unicode_problem(value)
        if where is not None:
            raise serializers.ValidationError(f"Text at “{where or 'disclosure'}” must be valid Unicode without NUL "
                                              "characters.")
        return value


DISCLOSURE_SCHEMA = {
    "type": "object", "nullable": True, "additionalProperties": True,
    "description": "The AI-assistance disclosure; its JSON Schema is at `GET /api/v1/disclosure-schema`. "
                   "Omit it (or send null) if your forum collects none: the post is then `not_disclosed`.",
    "example": {"human_only": False, "assistance": [{"kind": "editing", "extent": "minor"}],
                "tools": ["Claude"], "ai_share_percent": 10,
                "process": "The model suggested clearer wording for two paragraphs; I accepted some of it."},
}


class SubmissionIn(StrictSerializer):
    external_id = IdField(max_length=200, help_text="The post's id in your forum (unique per client).")
    author = AuthorIn()
    category = TextField(max_length=100, required=False, allow_blank=True, default="")
    title = TextField(max_length=300, allow_blank=True)
    body = TextField(allow_blank=True)
    format = serializers.ChoiceField(choices=["markdown", "html"], default="markdown")
    disclosure = DisclosureField(required=False, allow_null=True, default=None)


class ClaimIn(StrictSerializer):
    version = StrictIntegerField(min_value=1, max_value=2**31 - 1, required=False,
                                       help_text="The item version you saw; 409 if it changed since.")


class DecisionIn(StrictSerializer):
    action = serializers.ChoiceField(choices=DecisionAction.choices)
    reason = TextField(max_length=100, required=False, allow_blank=True, default="",
                       help_text="A reason code; required (with or instead of `message`) to reject or request "
                                 "changes.")
    message = TextField(max_length=5000, required=False, allow_blank=True, default="",
                        help_text="What the author is told.")
    version = StrictIntegerField(min_value=1, max_value=2**31 - 1,
                                       help_text="The item version you saw; 409 if it changed since.")
    revision = StrictIntegerField(min_value=1, max_value=2**31 - 1, required=False,
                                  help_text="The revision number you reviewed (the item's `revision`); 409 if the "
                                            "item or the post moved to another revision since.")
    template = serializers.SlugField(max_length=60, required=False, allow_blank=True, default="",
                                     help_text="A rejection template code (its text is used when `message` is empty).")
    label = serializers.ChoiceField(choices=LABEL_VALUES, required=False, allow_blank=True, default="",
                                    help_text="Apply this reader-facing label as the moderator's (locked).")


class WebhookIn(StrictSerializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(choices=list(EVENT_TYPES)), min_length=1,
                                   max_length=len(EVENT_TYPES))


# --- Responses (documentation) ----------------------------------------------------------------------

class ErrorItemOut(serializers.Serializer):
    field = serializers.CharField(help_text='Dotted path into the request body, or "" for the whole request.')
    message = serializers.CharField()


class ErrorOut(serializers.Serializer):
    errors = ErrorItemOut(many=True)


class MissingDisclosureOut(ErrorOut):
    """422: the category requires a disclosure (then the extra keys are present), or an Idempotency-Key reused
    with another request (``errors`` only)."""

    policy_url = serializers.CharField(required=False, help_text="Your forum's AI policy (as registered with "
                                       "the client).")
    disclosure_schema = serializers.CharField(required=False, help_text="Where the disclosure JSON Schema is.")
    allowed_values = serializers.DictField(child=serializers.ListField(child=serializers.JSONField()),
                                           required=False)


class HealthOut(serializers.Serializer):
    status = serializers.ChoiceField(choices=HEALTH_STATES)
    database = serializers.ChoiceField(choices=HEALTH_STATES)
    broker = serializers.ChoiceField(choices=HEALTH_STATES)
    last_worker_heartbeat = serializers.DateTimeField(allow_null=True)


class LabelOut(serializers.Serializer):
    value = serializers.ChoiceField(choices=LABEL_VALUES)
    text = serializers.CharField()
    detail = serializers.CharField(allow_blank=True)
    source = serializers.ChoiceField(choices=["author", "classifier", "moderator"])
    iptc_digital_source_type = serializers.CharField(allow_null=True)
    locked = serializers.BooleanField()
    grade = serializers.ChoiceField(choices=["human_only", "ai_supported", "ai_edited_minor", "ai_modified",
                                             "ai_assisted", "ai_generated", "not_disclosed"],
                                    help_text="EU AI Act involvement grade derived from the disclosure.")
    eu_variant = serializers.ChoiceField(choices=["none", "ai", "ai_modified", "ai_generated", "unknown"],
                                         help_text="Which of the Commission's three marks applies, if any.")
    label_required = serializers.BooleanField()
    exempt_by_review = serializers.BooleanField(help_text="A named person reviewed the AI text (Art. 50(4)).")


class SubmissionAcceptedOut(serializers.Serializer):
    id = serializers.UUIDField()
    external_id = serializers.CharField()
    revision = serializers.IntegerField()
    status = serializers.ChoiceField(choices=SubmissionStatus.choices)
    visible = serializers.BooleanField()
    new_revision = serializers.BooleanField()
    label = LabelOut()
    url = serializers.CharField()


class PassageOut(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    kind = serializers.CharField(required=False)
    probability = serializers.FloatField(allow_null=True, required=False)
    status = serializers.CharField(required=False)
    features = serializers.DictField(child=serializers.FloatField(), required=False)
    stage = serializers.CharField(required=False)


class ClassifierResultOut(serializers.Serializer):
    classifier = serializers.CharField()
    version = serializers.CharField()
    status = serializers.ChoiceField(choices=ResultStatus.choices)
    score = serializers.FloatField(allow_null=True)
    latency_ms = serializers.FloatField()
    error = serializers.CharField(allow_blank=True)
    passages = PassageOut(many=True)


class DecisionOut(serializers.Serializer):
    action = serializers.ChoiceField(choices=DecisionAction.choices)
    reason = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True)
    decided_at = serializers.DateTimeField(allow_null=True)


class ReviewItemSummaryOut(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ReviewItemKind.choices)
    status = serializers.ChoiceField(choices=ReviewStatus.choices)
    version = serializers.IntegerField()


class AuthorOut(serializers.Serializer):
    external_id = serializers.CharField()
    display_name = serializers.CharField(allow_blank=True)
    standing = serializers.ChoiceField(choices=AuthorStanding.choices)


class SubmissionOut(serializers.Serializer):
    id = serializers.UUIDField()
    external_id = serializers.CharField()
    revision = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=SubmissionStatus.choices)
    visible = serializers.BooleanField()
    category = serializers.CharField(allow_blank=True)
    author = AuthorOut()
    title = serializers.CharField(allow_blank=True)
    reasons = serializers.ListField(child=serializers.CharField())
    priority = serializers.IntegerField()
    outcome = serializers.CharField(allow_null=True)
    evaluated_at = serializers.DateTimeField(allow_null=True)
    classifier_results = ClassifierResultOut(many=True)
    review_item = ReviewItemSummaryOut(allow_null=True)
    decision = DecisionOut(allow_null=True)
    label = LabelOut()
    rendered_html = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ReviewItemSubmissionOut(serializers.Serializer):
    id = serializers.UUIDField()
    external_id = serializers.CharField()
    status = serializers.ChoiceField(choices=SubmissionStatus.choices)
    category = serializers.CharField(allow_blank=True)
    author_external_id = serializers.CharField()


class ReviewItemOut(serializers.Serializer):
    id = serializers.UUIDField()
    submission = ReviewItemSubmissionOut()
    revision = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ReviewItemKind.choices)
    status = serializers.ChoiceField(choices=ReviewStatus.choices)
    reasons = serializers.ListField(child=serializers.CharField())
    priority = serializers.IntegerField()
    top_score = serializers.FloatField(allow_null=True)
    version = serializers.IntegerField()
    claimed = serializers.BooleanField()
    claimed_by = serializers.CharField(allow_null=True)
    claimed_at = serializers.DateTimeField(allow_null=True)
    decision = DecisionOut(allow_null=True)
    appeal_message = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class WebhookOut(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=list(EVENT_TYPES)))
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class WebhookCreatedOut(WebhookOut):
    secret = serializers.CharField(help_text="The signing secret (Standard Webhooks `whsec_…`). Shown only now.")


class DeliveryAttemptOut(serializers.Serializer):
    attempt = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField(allow_null=True)
    status_code = serializers.IntegerField(allow_null=True)
    latency_ms = serializers.FloatField(allow_null=True)
    error = serializers.CharField(allow_blank=True)


class DeliveryOut(serializers.Serializer):
    event_id = serializers.UUIDField()
    event_type = serializers.ChoiceField(choices=list(EVENT_TYPES))
    status = serializers.ChoiceField(choices=DELIVERY_STATUSES)
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    log = DeliveryAttemptOut(many=True)
