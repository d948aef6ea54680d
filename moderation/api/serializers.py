"""Request shapes (validated here, then handed to services) and response shapes (which write the body and the schema).

Responses are written by the ``…Out`` serializers from what :mod:`moderation.selectors.api` reads; the same
serializers describe them for drf-spectacular, so each shape is written once (and the schemathesis test checks
what is sent against the schema).
"""
from __future__ import annotations

import math
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from disclosure.labels import LABEL_SOURCES, LABELS, MODERATOR_LABELS

from ..models import (AuthorStanding, DecisionAction, HostRemovalReason, ResultStatus, ReviewItemKind, ReviewStatus,
                      SubmissionStatus)
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


class UuidStringField(serializers.UUIDField):
    """A UUID as a JSON string: DRF's UUIDField reads an integer too (``5`` as ``UUID(int=5)``), so a client that
    sent the wrong type was told the object did not exist."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a typo (``disclosur``) is an error, not silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(map(str, data)) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class StrictSerializerScheme(OpenApiSerializerExtension):
    """Publishes what :class:`StrictSerializer` does (``additionalProperties: false``), so that a client generated
    from the document refuses the typo too rather than learn of it from a 400."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "additionalProperties": False}


class AuthorIn(StrictSerializer):
    external_id = IdField(max_length=200, help_text="The author's id in your forum.")
    display_name = TextField(max_length=200, required=False, allow_blank=True, default="")
    standing = serializers.ChoiceField(choices=AuthorStanding.choices, default=AuthorStanding.NEW,
                                       help_text="How much your forum trusts this author; the policy uses it.")


class EditorIn(StrictSerializer):
    external_id = IdField(max_length=200, help_text="The id in your forum of the person who saved this version.")
    display_name = TextField(max_length=200, required=False, allow_blank=True, default="")


def _non_finite_number(value: Any) -> str | None:
    """Dotted path of the first number JSON cannot represent (``1e400`` parses as infinity), or None."""
    return _first_bad_leaf(value, lambda v: isinstance(v, float) and not math.isfinite(v))


DISCLOSURE_SCHEMA = {
    "type": "object",
    "description": "The AI-assistance disclosure, an object; its JSON Schema is at `GET /api/v1/disclosure-schema`. "
                   "Omit it (or send null) if your forum collects none: the post is then `not_disclosed`.",
    "example": {"human_only": False, "assistance": [{"kind": "editing", "extent": "minor"}],
                "tools": ["Claude"], "ai_share_percent": 10,
                "process": "The model suggested clearer wording for two paragraphs; I accepted some of it."},
}


@extend_schema_field(DISCLOSURE_SCHEMA)
class DisclosureField(serializers.JSONField):
    """The disclosure, published as an object (``allow_null`` makes it ``["object", "null"]``): a bare JSONField
    is ``{}``, and null then matched both branches of ``oneOf: [{}, {"type": "null"}]``, which clients refuse."""

    def to_internal_value(self, data):
        where = _non_finite_number(data)
        if where is not None:  # DRF would blame the whole field; say which number
            message = "This number is out of range."
            raise serializers.ValidationError({where: [message]} if where else message)
        value = super().to_internal_value(data)
        where = _unicode_problem(value)
        if where is not None:  # on the field that holds it, as the numbers above
            message = "Text must be valid Unicode without NUL characters."
            raise serializers.ValidationError({where: [message]} if where else message)
        return value


class SubmissionIn(StrictSerializer):
    external_id = IdField(max_length=200, help_text="The post's id in your forum (unique per client).")
    author = AuthorIn()
    category = TextField(max_length=100, required=False, allow_blank=True, default="")
    title = TextField(max_length=300, allow_blank=True)
    body = TextField(allow_blank=True)
    format = serializers.ChoiceField(choices=["markdown", "html"], default="markdown")
    disclosure = DisclosureField(required=False, allow_null=True, default=None)
    editor = EditorIn(required=False, allow_null=True, default=None,
                      help_text="Who saved this version when it is not the author (a moderator's edit). The "
                                "moderators see it, and a post already in the queue waits with the reason "
                                "edited_by_other. Omit it, or give the author, for the author's own edits.")
    draft_id = UuidStringField(required=False, allow_null=True, default=None,
                               error_messages={"invalid": "A draft id is a UUID string."},
                               help_text="The draft (POST /api/v1/drafts) on which your editor's AI tools "
                                         "recorded their help: it is linked to this post, and a disclosure "
                                         "that declares less than they recorded puts the post in the queue "
                                         "(reason `recorded_vs_declared`).")


class ClaimIn(StrictSerializer):
    version = StrictIntegerField(min_value=1, max_value=2**31 - 1, required=False,
                                       help_text="The item version you saw; 409 if it changed since.")


class DecisionIn(StrictSerializer):
    action = serializers.ChoiceField(choices=DecisionAction.choices)
    reason = TextField(max_length=100, required=False, allow_blank=True, default="",
                       help_text="A reason code; required (with or instead of `message`) to reject, request "
                                 "changes or hide.")
    message = TextField(max_length=5000, required=False, allow_blank=True, default="",
                        help_text="What the author is told.")
    version = StrictIntegerField(min_value=1, max_value=2**31 - 1,
                                       help_text="The item version you saw; 409 if it changed since.")
    revision = StrictIntegerField(min_value=1, max_value=2**31 - 1, required=False,
                                  help_text="The revision number you reviewed (the item's `revision`); 409 if the "
                                            "item or the post moved to another revision since.")
    template = serializers.SlugField(max_length=60, required=False, allow_blank=True, default="",
                                     help_text="A rejection template code (its text is used when `message` is empty); "
                                               "not with `approve` (400).")
    # the labels a moderator may apply (not LABEL_VALUES: ``not_disclosed`` is refused), so the schema says so
    label = serializers.ChoiceField(
        choices=list(MODERATOR_LABELS), required=False, allow_blank=True, default="",
        help_text="Apply this reader-facing label as the moderator's (locked). Not `not_disclosed`: that describes "
                  "the author's declaration, not a verdict.",
        error_messages={"invalid_choice": f"\"{{input}}\" is not a label a moderator can apply; use one of "
                                          f"{', '.join(MODERATOR_LABELS)} (not_disclosed describes the author's "
                                          "declaration, not a verdict)."})


class WebhookIn(StrictSerializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(choices=list(EVENT_TYPES)), min_length=1,
                                   max_length=len(EVENT_TYPES))


# --- Responses: these serializers write every success body the API sends, and describe it for the schema ---
#
# The output fields pass values through as stored (``AsIs``) and the field class only gives the schema its
# type: a float stored as 1 stays 1, a timestamp is ``isoformat()`` with its ``+00:00`` (DRF's own fields would
# write 1.0 and ``Z``), so the bodies stay what clients have been parsing.


class AsIs:
    """Mixin for an output field: the value as stored; the field class it is mixed into gives the schema."""

    def to_representation(self, value):
        return value


class Text(AsIs, serializers.CharField):
    pass


class Integer(AsIs, serializers.IntegerField):
    pass


class Number(AsIs, serializers.FloatField):
    pass


class Flag(AsIs, serializers.BooleanField):
    pass


class Choice(AsIs, serializers.ChoiceField):
    pass


class Strings(AsIs, serializers.ListField):
    pass


class Uuid(serializers.UUIDField):
    def to_representation(self, value):
        return str(value)


class Timestamp(serializers.DateTimeField):
    """``datetime.isoformat()`` (the offset as ``+00:00``), or a string stored that way already."""

    def to_representation(self, value):
        return value if isinstance(value, str) else value.isoformat()


class OrBlank(serializers.CharField):
    """Text whose missing or null value is written as ``""``."""

    def get_attribute(self, instance):
        try:
            value = super().get_attribute(instance)
        except (KeyError, AttributeError, serializers.SkipField):
            value = None
        return value or ""

    def to_representation(self, value):
        return value




class ErrorItemOut(serializers.Serializer):
    field = serializers.CharField(help_text='Dotted path into the request body, or "" for the whole request.')
    message = serializers.CharField()


class ErrorOut(serializers.Serializer):
    errors = ErrorItemOut(many=True)


class ReviewConflictOut(ErrorOut):
    """409 on a claim or decision: the item's version now, to reload with (absent when the conflict is about the
    revision or an idempotency key)."""

    current_version = serializers.IntegerField(required=False, help_text="The item's version now.")


class ReportConflictOut(ErrorOut):
    """409 on a report: the reader's earlier report of this revision (absent when readers do not see the post)."""

    report = serializers.UUIDField(required=False, help_text="The id of the report this reader filed already.")


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


# Written from :meth:`disclosure.labels.Label.as_dict`.
class LabelOut(serializers.Serializer):
    value = Choice(choices=LABEL_VALUES)
    text = Text()
    detail = Text(allow_blank=True)
    source = Choice(choices=list(LABEL_SOURCES),
                    help_text="Who declared or applied the label: `author` (their disclosure), `classifier`, "
                              "`moderator` (then `locked`), or `none` (no disclosure was sent: the value is "
                              "`not_disclosed` and no one declared it).")
    iptc_digital_source_type = Text(allow_null=True)
    locked = Flag()
    grade = Choice(choices=["human_only", "ai_supported", "ai_edited_minor", "ai_modified",
                            "ai_assisted", "ai_generated", "not_disclosed"],
                   help_text="EU AI Act involvement grade derived from the disclosure.")
    eu_variant = Choice(choices=["none", "ai", "ai_modified", "ai_generated", "unknown"],
                        help_text="Which of the Commission's three marks applies, if any.")
    label_required = Flag()
    exempt_by_review = Flag(help_text="A named person reviewed the AI text (Art. 50(4)).")


# Written from :class:`moderation.selectors.api.SubmissionAccepted`.
class SubmissionAcceptedOut(serializers.Serializer):
    id = Uuid(source="submission.public_id")
    external_id = Text(source="submission.external_id")
    revision = Integer(source="revision.number")
    status = Choice(source="submission.status", choices=SubmissionStatus.choices)
    visible = Flag(source="submission.visible")
    new_revision = Flag()
    label = LabelOut()
    url = Text()


# One scored passage as the classifier stored it; only the keys it stored are written.
class PassageOut(serializers.Serializer):
    start = Integer()
    end = Integer()
    kind = Text(required=False)
    probability = Number(allow_null=True, required=False)
    status = Text(required=False)
    features = serializers.DictField(child=serializers.FloatField(), required=False)
    stage = Text(required=False)

    def to_representation(self, instance):
        return {key: instance.get(key) for key in self.fields if key in instance}


# ``passage_scores`` as stored (entries that are not objects are left out).
class Passages(serializers.ListField):
    child = PassageOut()

    def get_attribute(self, instance):
        return super().get_attribute(instance) or []

    def to_representation(self, data):
        return [self.child.to_representation(p) for p in (data or []) if isinstance(p, dict)]


#: What a client forum reads about a failed classifier. The stored error (host names, a vendor's answer) is for
#: staff only: the moderation pages show it, the API does not.
CLASSIFIER_ERROR_FOR_CLIENTS = "The classifier could not score this revision; a moderator will look at it."


class ClassifierErrorForClients(OrBlank):
    """A generic message when the classifier failed, ``""`` otherwise; never the stored error text."""

    def get_attribute(self, instance):
        failed = bool(super().get_attribute(instance)) or getattr(instance, "status", "") == ResultStatus.ERROR
        return CLASSIFIER_ERROR_FOR_CLIENTS if failed else ""


# Written from a :class:`~moderation.models.ClassifierResult`.
class ClassifierResultOut(serializers.Serializer):
    classifier = Text()
    version = Text()
    status = Choice(choices=ResultStatus.choices)
    score = Number(allow_null=True)
    latency_ms = Number()
    error = ClassifierErrorForClients(allow_blank=True)
    passages = Passages(source="passage_scores")


# Written from a :class:`~moderation.models.ReviewItem`: null while it has no decision.
class DecisionOut(serializers.Serializer):
    action = Choice(source="decision_action", choices=DecisionAction.choices)
    revision = Integer(source="revision.number", help_text="The revision the decision was about: after the "
                                                            "author's edit, an earlier one than the submission's.")
    reason = Text(source="decision_reason", allow_blank=True)
    message = Text(source="decision_message", allow_blank=True)
    decided_at = Timestamp(allow_null=True)

    def get_attribute(self, instance):
        item = super().get_attribute(instance)
        return item if item is not None and item.decision_action else None


class ReviewItemSummaryOut(serializers.Serializer):
    id = Uuid(source="public_id")
    kind = Choice(choices=ReviewItemKind.choices)
    status = Choice(choices=ReviewStatus.choices)
    version = Integer()


# Written from a :class:`~moderation.models.Submission` (the author reference it stores).
class AuthorOut(serializers.Serializer):
    external_id = Text(source="author_external_id")
    display_name = Text(source="author_display_name", allow_blank=True)
    standing = Choice(source="author_standing", choices=AuthorStanding.choices)


class EditedByOut(serializers.Serializer):
    """The revision's editor (a submission's current one, an item's own), when someone other than the author
    saved it; null otherwise."""

    external_id = Text(source="editor_external_id")
    display_name = Text(source="editor_display_name", allow_blank=True)

    def get_attribute(self, instance):
        revision = instance.revision
        return revision if revision is not None and revision.editor_external_id else None


class RemovedInForumOut(serializers.Serializer):
    """The host's own removal of the post, as it stored it with ``PUT /submissions/{id}/removal``; null while
    the post is not removed (or was restored)."""

    reason = Choice(source="host_removed_reason", choices=HostRemovalReason.choices)
    note = Text(source="host_removed_note", allow_blank=True)
    at = Timestamp(source="host_removed_at")

    def get_attribute(self, instance):
        submission = super().get_attribute(instance)
        return submission if submission is not None and submission.host_removed_at is not None else None


class HostRemovalIn(StrictSerializer):
    reason = serializers.ChoiceField(choices=HostRemovalReason.choices,
                                     help_text="Why your forum took the post away from its readers.")
    note = TextField(max_length=500, required=False, allow_blank=True, default="",
                     help_text="Shown to moderators beside the reason (optional).")


class AuthorRefIn(StrictSerializer):
    """An author of yours, by your forum's id (an erasure or a data export)."""

    author_external_id = IdField(max_length=200, help_text="Your forum's id of the author.")


class ErasureOut(serializers.Serializer):
    pseudonym = serializers.CharField(allow_null=True, help_text="What the author's submissions and reports now "
                                      "name instead of the id; null when nothing was left to erase.")
    submissions = serializers.IntegerField()
    revisions = serializers.IntegerField()
    reports = serializers.IntegerField(help_text="Reports the author filed as a reader.")
    drafts = serializers.IntegerField()
    notifications = serializers.IntegerField()


# Written from :class:`moderation.selectors.api.SubmissionDetail`.
class SubmissionOut(serializers.Serializer):
    id = Uuid(source="submission.public_id")
    external_id = Text(source="submission.external_id")
    revision = Integer(source="revision.number", allow_null=True)
    status = Choice(source="submission.status", choices=SubmissionStatus.choices)
    visible = Flag(source="submission.visible")
    category = Text(source="submission.category", allow_blank=True)
    author = AuthorOut(source="submission")
    edited_by = EditedByOut(allow_null=True)
    title = Text(allow_blank=True)
    reasons = Strings(child=serializers.CharField())
    priority = Integer()
    outcome = Text(allow_null=True)
    evaluated_at = Timestamp(allow_null=True)
    classifier_results = ClassifierResultOut(many=True)
    review_item = ReviewItemSummaryOut(allow_null=True)
    decision = DecisionOut(allow_null=True)
    label = LabelOut()
    rendered_html = Text(allow_blank=True)
    removed_in_forum = RemovedInForumOut(source="submission", allow_null=True)
    created_at = Timestamp(source="submission.created_at")
    updated_at = Timestamp(source="submission.updated_at")


class ReviewItemSubmissionOut(serializers.Serializer):
    id = Uuid(source="public_id")
    external_id = Text()
    status = Choice(choices=SubmissionStatus.choices)
    category = Text(allow_blank=True)
    author_external_id = Text()
    removed_in_forum = RemovedInForumOut(source="*", allow_null=True)


class Claimed(AsIs, serializers.BooleanField):
    def get_attribute(self, item):
        return item.status == "claimed"


# Who holds the claim: ``api:<client name>``, ``moderator`` (a person in the web queue), or null.
class ClaimedBy(AsIs, serializers.CharField):
    def get_attribute(self, item):
        return (f"api:{item.claimed_by_client.name}" if item.claimed_by_client_id
                else "moderator" if item.claimed_by_id else None)


# Written from a :class:`~moderation.models.ReviewItem` (``submission``, ``revision`` and the claiming client
# selected with it).
class ReviewItemOut(serializers.Serializer):
    id = Uuid(source="public_id")
    submission = ReviewItemSubmissionOut()
    revision = Integer(source="revision.number")
    edited_by = EditedByOut(allow_null=True, help_text="Who saved that revision when it was not the author.")
    kind = Choice(choices=ReviewItemKind.choices)
    status = Choice(choices=ReviewStatus.choices)
    reasons = Strings(child=serializers.CharField())
    priority = Integer()
    top_score = Number(allow_null=True)
    version = Integer()
    claimed = Claimed()
    claimed_by = ClaimedBy(allow_null=True)
    claimed_at = Timestamp(allow_null=True)
    decision = DecisionOut(source="*", allow_null=True)
    appeal_message = Text(allow_blank=True)
    created_at = Timestamp()
    updated_at = Timestamp()


class NoteIn(StrictSerializer):
    text = TextField(max_length=2000, trim_whitespace=True,
                     help_text="For the other moderators: not shown to the author on the post or in messages, but "
                               "part of their data export (without who wrote it).")


# Who wrote a note, as ``claimed_by`` says who claims: ``api:<client name>``, ``moderator`` (a person in the web
# queue: their username is the host's, not another forum's), or ``system``.
class NoteBy(AsIs, serializers.CharField):
    def get_attribute(self, action):
        return (f"api:{action.actor_client.name}" if action.actor_client_id
                else "moderator" if action.actor_kind == "user" else "system")


class NoteOut(serializers.Serializer):
    text = Text(source="note")
    by = NoteBy()
    at = Timestamp()


class WebhookOut(serializers.Serializer):
    id = Uuid(source="public_id")
    url = Text()
    events = Strings(child=serializers.ChoiceField(choices=list(EVENT_TYPES)))
    is_active = Flag()
    created_at = Timestamp()


class WebhookCreatedOut(WebhookOut):
    secret = Text(help_text="The signing secret (Standard Webhooks `whsec_…`). Shown only now.")


# One entry of a delivery's ``log`` as stored; a key it lacks is written as null (``error`` as "").
class DeliveryAttemptOut(serializers.Serializer):
    attempt = Integer(allow_null=True)
    at = Timestamp(allow_null=True)
    status_code = Integer(allow_null=True)
    latency_ms = Number(allow_null=True)
    error = OrBlank(allow_blank=True)


class DeliveryLog(serializers.ListField):
    child = DeliveryAttemptOut()

    def get_attribute(self, instance):
        return super().get_attribute(instance) or []

    def to_representation(self, data):
        return [self.child.to_representation(e) for e in (data or []) if isinstance(e, dict)]


class DeliveryOut(serializers.Serializer):
    event_id = Uuid(source="event.event_id")
    event_type = Choice(source="event.type", choices=list(EVENT_TYPES))
    status = Choice(choices=DELIVERY_STATUSES)
    attempts = Integer()
    next_attempt_at = Timestamp(allow_null=True)
    created_at = Timestamp()
    log = DeliveryLog()
