"""The rows each step of the flow hands to the next (see docs/architecture.md, "The domain model").

post revision → passages (parser, not stored) → ClassifierResult → Evaluation → ReviewItem → Action
→ author notification and OutboxEvent → WebhookDelivery.

A post written in the host forum and a post sent by another forum through the API are the same thing, a
Submission, whose origin is ``(client, external_id)``; the host forum is the built-in ``local`` client.
"""
from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.db.models import F, Q


class ApiClient(models.Model):
    """A forum that submits posts: another forum through the API, or the host forum itself (``local``)."""

    LOCAL_NAME = "local"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100, unique=True)
    scopes = models.JSONField(default=list, help_text='Any of "submit", "moderate".')
    #: Category slugs whose posts must carry a disclosure (else 422).
    categories_requiring_disclosure = models.JSONField(default=list, blank=True)
    #: Category slugs whose posts inform the public on matters of public interest (EU AI Act Art. 50).
    public_interest_categories = models.JSONField(default=list, blank=True)
    policy_url = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    @property
    def draft_owner_prefix(self) -> str:
        """The start of the ``owner_key`` of every draft this client makes (its author's id follows)."""
        return f"client:{self.public_id}:"


class ApiKey(models.Model):
    """A client's secret, stored as SHA-256 (keys are long random strings: no slow hash needed)."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField(max_length=16, db_index=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.client.name}:{self.prefix}…"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()


class AuthorStanding(models.TextChoices):
    NEW = "new", _("New")
    REGULAR = "regular", _("Regular")
    TRUSTED = "trusted", _("Trusted")


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", _("Being checked")
    PUBLISHED = "published", _("Published")
    QUEUED = "queued", _("Waiting for a moderator")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    NEEDS_CHANGES = "needs_changes", _("Needs changes")
    HIDDEN = "hidden", _("Hidden")


class HostRemovalReason(models.TextChoices):
    """Why the host forum took a post away from its readers itself (not a decision of this plugin)."""

    DELETED_BY_AUTHOR = "deleted_by_author", _("The author deleted it.")
    REMOVED_BY_MODERATORS = "removed_by_moderators", _("The forum's moderators removed it.")
    OTHER = "other", _("The forum removed it.")


class LabelSource(models.TextChoices):
    AUTHOR = "author", _("Declared by the author")
    CLASSIFIER = "classifier", _("Applied by the classifiers")
    MODERATOR = "moderator", _("Applied by a moderator")


class Submission(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="submissions")
    external_id = models.CharField(max_length=200)
    author_external_id = models.CharField(max_length=200, db_index=True)
    author_display_name = models.CharField(max_length=200, blank=True)
    author_standing = models.CharField(max_length=16, choices=AuthorStanding.choices, default=AuthorStanding.NEW)
    category = models.CharField(max_length=100, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=SubmissionStatus.choices, default=SubmissionStatus.PENDING,
                              db_index=True)
    #: Whether readers see the post now (a queued post may stay visible: publish-and-queue).
    visible = models.BooleanField(default=False)
    current_revision = models.ForeignKey("Revision", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    #: A label applied by a moderator or chosen by the policy; ``label_locked`` keeps the author from editing
    #: it away. Empty means the label comes from the author's disclosure.
    label_value = models.CharField(max_length=32, blank=True)
    label_source = models.CharField(max_length=16, choices=LabelSource.choices, default=LabelSource.AUTHOR)
    label_locked = models.BooleanField(default=False)
    #: The host forum took the post away from its readers itself (``PUT /submissions/{id}/removal``): the
    #: queue says so, so that a moderator does not judge a post already gone. Null: it did not, or restored it.
    host_removed_at = models.DateTimeField(null=True, blank=True)
    host_removed_reason = models.CharField(max_length=32, choices=HostRemovalReason.choices, blank=True)
    host_removed_note = models.CharField(max_length=500, blank=True)
    #: When the author's personal data was erased (services/erasure.py): the texts are gone, the author is a
    #: pseudonym, and the post takes no new revision and is never evaluated again.
    author_erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "external_id"], name="submission_unique_origin"),
        ]
        indexes = [models.Index(fields=["client", "author_external_id"])]

    def __str__(self):
        return f"{self.client.name}/{self.external_id}"


class Revision(models.Model):
    """One immutable version of a submission: what the author wrote and declared at that moment."""

    # PROTECT (here and on every audit row below): deleting a submission never silently takes its history.
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField()
    format = models.CharField(max_length=16, choices=[("markdown", "Markdown"), ("html", "HTML")],
                              default="markdown")
    #: The disclosure as JSON, or null when the submitting forum collects none (``not_disclosed``).
    disclosure = models.JSONField(null=True, blank=True)
    disclosure_version = models.PositiveSmallIntegerField(null=True, blank=True)
    parser_version = models.PositiveSmallIntegerField()
    #: Whether the body declares AI-written sections, as parsed at intake (labels read this instead of
    #: parsing the body again); null for a body that no longer parses.
    has_ai_blocks = models.BooleanField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    #: When the pipeline finished with this revision (the sweep looks for current revisions without it).
    evaluated_at = models.DateTimeField(null=True, blank=True)
    #: When the broker last accepted a message to evaluate this revision (null: never, e.g. it was down at
    #: submit). The sweep sends it again only ``MODERATION["SWEEP_RESEND_AFTER_SECONDS"]`` later, so a
    #: message still waiting in a long queue is not duplicated every beat.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    #: Evaluation task runs started before ``evaluated_at`` was set (a run that kills its worker counts too);
    #: past ``MODERATION["MAX_EVALUATION_ATTEMPTS"]`` the pipeline gives up and holds the post for a person.
    evaluation_attempts = models.PositiveIntegerField(default=0)
    #: What the editor's AI tools recorded on the draft this revision came from (the recorder's disclosure
    #: suggestion), or null when no draft was used; compared with ``disclosure`` (services/recorded.py).
    recorded_assistance = models.JSONField(null=True, blank=True)
    #: Who saved this version when it was not the author: a moderator's edit (the host says so). Blank: the
    #: author. The text is still the author's post, but a flag on it is not the author's doing alone.
    editor_external_id = models.CharField(max_length=200, blank=True, default="")
    editor_display_name = models.CharField(max_length=200, blank=True, default="")
    #: the evaluation whose outcome the post last took for this revision (``submission_apply_evaluation``): not
    #: always the newest row, since an evaluation is kept once per set of inputs and a policy put back as it was
    #: takes its old evaluation again
    applied_evaluation = models.ForeignKey("Evaluation", on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="+")

    class Meta:
        ordering = ["submission", "number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="revision_unique_number"),
        ]

    def __str__(self):
        return f"{self.submission} r{self.number}"


class ResultStatus(models.TextChoices):
    OK = "ok", _("OK")
    INSUFFICIENT_EVIDENCE = "insufficient_evidence", _("Insufficient evidence")
    ERROR = "error", _("Error")
    #: The scan-cost policy did not run the classifier on this revision; ``details["rule"]`` says why.
    SKIPPED = "skipped", _("Skipped")


class ClassifierResult(models.Model):
    """One attempt of one classifier on one revision: an append-only log (see services/classifier_log.py).

    Every attempt is a row, errors included; a retry adds a row, it never overwrites one. At most one
    *usable* row (``ok`` or ``insufficient_evidence``) exists per (revision, classifier, version, inputs),
    so a duplicate delivery cannot score a revision twice. Moderators' marks are rows of their own
    (:class:`ResultMark`).
    """

    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="classifier_results")
    classifier = models.CharField(max_length=100)
    version = models.CharField(max_length=50)
    status = models.CharField(max_length=32, choices=ResultStatus.choices)
    score = models.FloatField(null=True, blank=True)
    #: [{"start", "end", "probability", "status", "kind", "features": {...}}] with offsets into the body.
    passage_scores = models.JSONField(default=list)
    details = models.JSONField(default=dict, blank=True)
    latency_ms = models.FloatField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    #: 1 for the first attempt of this classifier version on this revision, then 2, 3…
    attempt = models.PositiveIntegerField(default=1)
    #: For derived (``needs_results``) classifiers: the key of the inputs this row judged.
    inputs_key = models.CharField(max_length=64, blank=True, default="")
    #: What was sent: ``{"remote", "sha256", "bytes"}``, plus ``payload`` (the passages) for local classifiers.
    request = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["revision", "classifier", "version", "inputs_key"],
                                    condition=Q(status__in=["ok", "insufficient_evidence", "skipped"]),
                                    name="result_one_usable_per_version"),
        ]

    @property
    def moderator_verdict(self) -> str:
        """The latest moderator mark on this result ("confirmed", "false_positive" or "")."""
        if hasattr(self, "latest_verdict"):
            return self.latest_verdict or ""
        mark = self.marks.order_by("-id").values_list("verdict", flat=True).first()
        return mark or ""


class ResultMark(models.Model):
    """A moderator's judgement of a classifier result's flag; append-only, the newest one counts."""

    result = models.ForeignKey(ClassifierResult, on_delete=models.CASCADE, related_name="marks")
    verdict = models.CharField(max_length=16, blank=True,
                               choices=[("confirmed", "Confirmed"), ("false_positive", "False positive")])
    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    actor_label = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)


class EvaluationOutcome(models.TextChoices):
    PUBLISH = "publish", _("Publish")
    PUBLISH_AND_QUEUE = "publish_and_queue", _("Publish and queue for review")
    HOLD = "hold", _("Hold for review")
    AUTO_REJECT = "auto_reject", _("Reject automatically")


class Evaluation(models.Model):
    """The policy's decision on one revision, for one set of inputs (fingerprint)."""

    #: ``policy_version`` (and reason) of the evaluation the pipeline records when it gives up on a revision
    GAVE_UP = "evaluation_gave_up"

    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="evaluations")
    policy_version = models.CharField(max_length=50)
    fingerprint = models.CharField(max_length=64)
    outcome = models.CharField(max_length=20, choices=EvaluationOutcome.choices)
    reasons = models.JSONField(default=list)
    priority = models.IntegerField(default=0)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["revision", "fingerprint"], name="evaluation_unique_inputs"),
        ]


class ReviewItemKind(models.TextChoices):
    FLAG = "flag", _("Flag")
    APPEAL = "appeal", _("Appeal")


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLAIMED = "claimed", _("Claimed")
    SNOOZED = "snoozed", _("Snoozed")
    DECIDED = "decided", _("Decided")


class DecisionAction(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    REQUEST_CHANGES = "request_changes", _("Ask for a disclosure fix")
    HIDE = "hide", _("Hide")


class ReviewItem(models.Model):
    """A submission waiting for a person. At most one undecided item per submission."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="review_items")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="review_items")
    evaluation = models.ForeignKey(Evaluation, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="review_items")
    kind = models.CharField(max_length=16, choices=ReviewItemKind.choices, default=ReviewItemKind.FLAG)
    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    reasons = models.JSONField(default=list)
    priority = models.IntegerField(default=0, db_index=True)
    #: The highest post-level classifier score, denormalised for sorting the queue.
    top_score = models.FloatField(null=True, blank=True)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    claimed_by_client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    snoozed_until_next_revision = models.BooleanField(default=False)
    decision_action = models.CharField(max_length=20, choices=DecisionAction.choices, blank=True)
    decision_template = models.ForeignKey("RejectionTemplate", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    decision_reason = models.CharField(max_length=100, blank=True)
    decision_message = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_by_client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    appeal_message = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission"], condition=~Q(status="decided"),
                                    name="review_item_one_undecided_per_submission"),
        ]
        indexes = [
            models.Index(fields=["status", "-priority", "created_at"], name="review_queue_order"),
            # The queue's default view (open + claimed) in its two main orders, so a page is an index range
            # scan however many items there are (see moderation/selectors/queue.py).
            models.Index(F("priority").desc(), F("created_at").asc(), F("id").asc(),
                         condition=Q(status__in=["open", "claimed"]), name="review_queue_active_priority"),
            # …and "review_queue_active_score" (top_score DESC NULLS LAST, priority DESC, id), created on
            # PostgreSQL only by migration 0003 (SQLite cannot declare NULLS LAST in an index).
            # The API's list (GET /api/v1/review-items) in its default order over every status, so its page is an
            # index scan too (without it PostgreSQL sorted all of a client's items for each page: 250 ms at 30k).
            models.Index(F("priority").desc(), F("created_at").asc(), name="review_item_api_order"),
            # The queue's counts per status and per reason (the filter facets): an index-only scan of the
            # undecided items' (status, reasons), grouped, instead of reading the table's rows (queue_counts).
            models.Index(fields=["status", "reasons"], condition=Q(status__in=["open", "claimed", "snoozed"]),
                         name="review_queue_undecided_reasons"),
            # Rejections, for the repeat-offender mark on each queue page and the author's history: the few
            # rejected items instead of a scan of every decided one (repeat_offenders).
            models.Index(fields=["submission"], condition=Q(status="decided", decision_action="reject"),
                         name="review_item_rejections"),
        ]


class AuditRowImmutable(Exception):
    """Someone tried to change or delete an append-only audit row."""


class Action(models.Model):
    """The audit log: one append-only row per state change, written in the same transaction."""

    SYSTEM = "system"
    #: every verb the services write, in words for the audit pages (the code stays in the data and the API)
    VERB_LABELS = {
        "open": _("Opened"), "update": _("Updated"), "claim": _("Claimed"), "release": _("Released"),
        "claim_expired": _("Claim expired"), "approve": _("Approved"), "reject": _("Rejected"),
        "request_changes": _("Asked for a disclosure fix"), "hide": _("Hidden"), "snooze": _("Snoozed"),
        "wake": _("Woken"), "appeal": _("Appealed"), "mark_result": _("Judged a classifier result"),
        "report": _("Reported by a reader"), "auto_reject": _("Rejected automatically"),
        "host_remove": _("Removed in the forum"), "host_restore": _("Restored in the forum"),
        "author_erased": _("Author's data erased"), "note": _("Note for moderators"),
    }

    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    actor_client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    #: "user", "client" or "system" (the policy, sweeps, expiry).
    actor_kind = models.CharField(max_length=10)
    actor_label = models.CharField(max_length=200)
    item = models.ForeignKey(ReviewItem, null=True, blank=True, on_delete=models.PROTECT, related_name="actions")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="actions")
    verb = models.CharField(max_length=40, db_index=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    @property
    def verb_label(self) -> str:
        return str(self.VERB_LABELS.get(self.verb, self.verb.replace("_", " ").capitalize()))

    @property
    def from_status_label(self) -> str:
        return _status_label(self.from_status)

    @property
    def to_status_label(self) -> str:
        return _status_label(self.to_status)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditRowImmutable("Audit rows (Action) are append-only: write a new one instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRowImmutable("Audit rows (Action) are append-only and cannot be deleted.")


def _status_label(code: str) -> str:
    """A review item's status in words ("" stays "")."""
    return str(ReviewStatus(code).label) if code in ReviewStatus.values else code


class Notification(models.Model):
    """What the author of a local post is told about its outcome (shown in the host forum)."""

    recipient_external_id = models.CharField(max_length=200, db_index=True)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField(max_length=40)
    #: the English text, for the record; the author reads ``services.notify.notification_text``
    message = models.TextField()
    #: {"note", "label", "automatic"}: what the text is composed of, in the reader's language; null before 0014
    parts = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class OutboxEvent(models.Model):
    """An event to tell clients about, written in the same transaction as the change it reports."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="outbox_events")
    type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, db_index=True)


class WebhookEndpoint(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    #: Stored so it can sign (Standard Webhooks ``whsec_…``); shown once, at creation.
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    #: Its last attempt failed: until one succeeds, one delivery at a time tries it (services/webhooks.py).
    failing = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)


class WebhookDelivery(models.Model):
    """One event to one endpoint; ``attempts`` grows with each try, ``webhook-id`` stays the event id."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, default="pending",
                              choices=[("pending", "Pending"), ("delivered", "Delivered"), ("failed", "Failed")])
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    log = models.JSONField(default=list, help_text="[{at, status_code, latency_ms, error}] per attempt")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="delivery_unique_per_endpoint"),
        ]


class RejectionTemplate(models.Model):
    """An editable reason text a moderator picks when rejecting or asking for changes."""

    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    message = models.TextField()
    is_active = models.BooleanField(default=True)

    def __str__(self):
        return self.title


class PolicyRule(models.Model):
    """A policy rule as validated data; a bad rule is refused when saved, never at evaluation time."""

    name = models.CharField(max_length=100, unique=True)
    order = models.IntegerField(default=100)
    is_active = models.BooleanField(default=True)
    rule = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        """Validate ``rule`` (moderation.policy.rules.Rule); the admin shows each problem on the rule field."""
        from django.core.exceptions import ValidationError

        from .policy.rules import PolicyInvalid, rule_validate

        try:
            rule = rule_validate(self.rule, name=self.name or "rule")
        except PolicyInvalid as exc:
            raise ValidationError({"rule": [f"{e['field']}: {e['message']}" if e["field"] else e["message"]
                                            for e in exc.errors]}) from None
        # the author of an automatically rejected post is told the template's message: one that does not exist
        # told them nothing but "rejected automatically", and named a reason no moderator can find
        # (only for a rule that can act: one switched off can always be saved, e.g. after its template was retired)
        acts = self.is_active and rule.enabled and rule.outcome == "auto_reject"
        if acts and not RejectionTemplate.objects.filter(code=rule.template, is_active=True).exists():
            raise ValidationError({"rule": [f"template: no active rejection template “{rule.template}”; "
                                            "create it first (Rejection templates)."]})

    def save(self, *args, **kwargs):
        """Refuse a bad rule on every save path, not only the admin's (raises ValidationError)."""
        self.clean()
        super().save(*args, **kwargs)


class WorkerHeartbeat(models.Model):
    """The last time a worker ran the heartbeat task (reported by /api/v1/health)."""

    name = models.CharField(max_length=100, unique=True)
    at = models.DateTimeField()


class IdempotencyRecord(models.Model):
    """The answer to one API request sent with an ``Idempotency-Key``, replayed when the client retries it."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    #: SHA-256 over method, path and canonical JSON body: the same key with another request is refused.
    request_hash = models.CharField(max_length=64)
    #: 0 while the first request is still being answered.
    response_status = models.PositiveSmallIntegerField(default=0)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_unique_key_per_client"),
        ]


# --- Reader reports -------------------------------------------------------------------------------

class ReportReason(models.TextChoices):
    UNDISCLOSED_AI = "undisclosed_ai", _("Looks like undisclosed AI")


class ReportOutcome(models.TextChoices):
    PENDING = "", _("Waiting for a moderator")
    UPHELD = "upheld", _("Upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")


class ReaderReport(models.Model):
    """A reader's report that a post looks like undisclosed AI: an input to the queue, like a classifier flag.

    The reporter is ``(client, reporter_external_id)``: a user of the host forum reports through the
    ``local`` client, a reader of another forum through that forum's API key. ``weight`` is the priority the
    report added, from the reporter's accuracy when they made it (services/reports.py).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reports")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="reports")
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    reporter_external_id = models.CharField(max_length=200)
    reason = models.CharField(max_length=32, choices=ReportReason.choices, default=ReportReason.UNDISCLOSED_AI)
    note = models.TextField(blank=True)
    weight = models.IntegerField(default=0)
    item = models.ForeignKey(ReviewItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    outcome = models.CharField(max_length=16, choices=ReportOutcome.choices, blank=True, default="")
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "client", "reporter_external_id"],
                                    name="report_one_per_reporter_and_revision"),
        ]
        indexes = [models.Index(fields=["client", "reporter_external_id", "created_at"])]


# --- Statements of reasons (EU Digital Services Act, Art. 17) --------------------------------------

class StatementOfReasons(models.Model):
    """What the author is told about a decision, in the shape DSA Art. 17 asks of hosting services.

    Written in the same transaction as the decision (a moderator's, an API client's or the policy's
    automatic rejection); never edited afterwards. ``data`` holds the statement (services/statements.py).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="statements")
    item = models.ForeignKey(ReviewItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    evaluation = models.ForeignKey(Evaluation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision = models.CharField(max_length=20)
    automated_detection = models.BooleanField(default=False)
    automated_decision = models.BooleanField(default=False)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class SiteThreshold(models.Model):
    """A forum's own flag threshold for one classifier version, written by ``manage.py calibrate_detector``.

    Calibrated on the forum's posts from before ``posts_before`` (assumed human): the smallest threshold at
    which at most ``false_flag_rate`` of them would have been flagged. Classifier results stored after it
    carry it as ``details["threshold"]`` (the shipped one in ``details["shipped_threshold"]``), so the
    policy's ``passage_flagged`` and the stats page use it. It applies to this exact classifier version
    only: a new detector needs a new calibration.
    """

    classifier = models.CharField(max_length=100)
    version = models.CharField(max_length=200)
    threshold = models.FloatField()
    shipped_threshold = models.FloatField(null=True, blank=True)
    #: the post rule's threshold (built-in detector version 9): above every old post's score that the window
    #: rule leaves unflagged; null where the classifier has no post rule
    post_threshold = models.FloatField(null=True, blank=True)
    false_flag_rate = models.FloatField()
    posts_before = models.DateTimeField()
    #: posts the classifier could score, and how many of them reach ``threshold``
    posts_scored = models.PositiveIntegerField()
    posts_flagged = models.PositiveIntegerField()
    #: of the same posts, how many the shipped threshold flags
    posts_flagged_shipped = models.PositiveIntegerField(null=True, blank=True)
    #: the same posts by length band (``detector.windows.LENGTH_BANDS``): [{"band", "posts", "threshold"
    #: (the band's, ``calibrate_detector --by-length``; null: ``threshold`` applies), "own" (calibrated on the
    #: band's own posts), "flagged" (at the threshold that applies to the band), "flagged_shipped"}]
    by_length = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["classifier", "version"], name="site_threshold_unique")]

    def __str__(self):
        return f"{self.classifier} {self.version}: {self.threshold:.4f}"
