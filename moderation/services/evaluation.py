"""The pipeline's write side: classifier results for a revision, then the policy's decision.

``revision_evaluate`` is what the ``evaluate_revision`` task runs. It is safe to run twice: results are
unique per (revision, classifier, version), evaluations per (revision, fingerprint of their inputs), and a
revision that is no longer current, or whose content hash differs from the caller's, is skipped.
"""
from __future__ import annotations

import hashlib
import json
import logging
from concurrent.futures import ThreadPoolExecutor

from django.db import IntegrityError, transaction
from django.utils import timezone

from disclosure.blocks import parse_body
from disclosure.schema import load_stored

from .. import signals
from ..classifiers.base import ClassifierOutput
from ..classifiers.registry import configured_classifiers
from ..models import (
    ClassifierResult,
    Evaluation,
    EvaluationOutcome,
    ResultStatus,
    Revision,
    Submission,
    SubmissionStatus,
)
from ..policy import PolicyInput, current_policy
from .notify import notification_send, outbox_record
from .review import review_item_open_or_update

logger = logging.getLogger(__name__)


def classifier_result_store(*, revision: Revision, output: ClassifierOutput) -> ClassifierResult:
    """Store one classifier's output. An ``ok`` row is kept forever; an ``error`` row is replaced by a retry."""
    fields = {
        "status": output.status,
        "score": output.score,
        "passage_scores": [p.model_dump(mode="json") for p in output.passages],
        "details": output.details,
        "latency_ms": output.latency_ms,
        "error": output.error or "",
    }
    with transaction.atomic():
        existing = ClassifierResult.objects.select_for_update().filter(
            revision=revision, classifier=output.classifier, version=output.version).first()
        if existing is None:
            try:
                with transaction.atomic():
                    return ClassifierResult.objects.create(revision=revision, classifier=output.classifier,
                                                           version=output.version, **fields)
            except IntegrityError:  # a concurrent run stored it first
                return ClassifierResult.objects.get(revision=revision, classifier=output.classifier,
                                                    version=output.version)
        if existing.status == ResultStatus.ERROR and output.status != ResultStatus.ERROR:
            for key, value in fields.items():
                setattr(existing, key, value)
            existing.save()
        return existing


def revision_classify(*, revision: Revision) -> list[ClassifierResult]:
    """Run every configured classifier that has no usable result yet; I/O-bound ones in parallel."""
    parsed = parse_body(revision.body, revision.format)
    disclosure = load_stored(revision.disclosure)
    done = {(r.classifier, r.version): r for r in revision.classifier_results.exclude(status=ResultStatus.ERROR)}
    todo = [c for c in configured_classifiers() if (c.name, str(c.version)) not in done]
    io_bound = [c for c in todo if c.does_io]
    outputs = [c.run(parsed.passages, disclosure) for c in todo if not c.does_io]
    if io_bound:
        with ThreadPoolExecutor(max_workers=min(8, len(io_bound))) as pool:
            outputs += list(pool.map(lambda c: c.run(parsed.passages, disclosure), io_bound))
    for output in outputs:
        classifier_result_store(revision=revision, output=output)
    wanted = {(c.name, str(c.version)) for c in configured_classifiers()}
    return [r for r in revision.classifier_results.all() if (r.classifier, r.version) in wanted]


def _fingerprint(results: list[ClassifierResult], policy_version: str) -> str:
    key = json.dumps([policy_version, sorted((r.classifier, r.version, r.status, r.pk) for r in results)])
    return hashlib.sha256(key.encode()).hexdigest()


def revision_evaluate(*, revision_id: int, content_hash: str | None = None) -> Evaluation | None:
    """Classify a revision and apply the policy. Returns the evaluation, or None when the work is stale."""
    revision = Revision.objects.select_related("submission").filter(pk=revision_id).first()
    if revision is None or (content_hash and revision.content_hash != content_hash):
        return None
    if revision.submission.current_revision_id != revision.pk:
        return None
    results = revision_classify(revision=revision)
    policy = current_policy()
    fingerprint = _fingerprint(results, policy.version)
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=revision.submission_id)
        if submission.current_revision_id != revision.pk:
            return None
        existing = Evaluation.objects.filter(revision=revision, fingerprint=fingerprint).first()
        if existing is not None:
            return existing
        decision = policy.decide(PolicyInput.build(submission=submission, revision=revision, results=results))
        evaluation = Evaluation.objects.create(
            revision=revision, policy_version=policy.version, fingerprint=fingerprint, outcome=decision.outcome,
            reasons=decision.reasons, priority=decision.priority, details=decision.details,
        )
        submission_apply_evaluation(submission=submission, revision=revision, evaluation=evaluation,
                                    results=results)
        Revision.objects.filter(pk=revision.pk).update(evaluated_at=timezone.now())
        signals.submission_evaluated.send(sender=Submission, submission=submission, revision=revision,
                                          evaluation=evaluation)
    return evaluation


def submission_apply_evaluation(*, submission: Submission, revision: Revision, evaluation: Evaluation,
                                results: list[ClassifierResult]) -> None:
    """Turn the policy's outcome into the submission's status, visibility and review item (caller holds lock)."""
    outcome = evaluation.outcome
    scores = [r.score for r in results if r.score is not None]
    top_score = max(scores) if scores else None
    undecided = submission.review_items.exclude(status="decided").exists()
    if outcome == EvaluationOutcome.PUBLISH and not undecided:
        submission.status = SubmissionStatus.PUBLISHED
        submission.visible = True
    elif outcome == EvaluationOutcome.AUTO_REJECT:
        submission.status = SubmissionStatus.REJECTED
        submission.visible = False
        notification_send(submission=submission, verb="review.reject",
                          message=evaluation.details.get("message") or "Your post was rejected automatically.")
    else:
        item = review_item_open_or_update(submission=submission, revision=revision, evaluation=evaluation,
                                          reasons=evaluation.reasons, priority=evaluation.priority,
                                          top_score=top_score)
        submission.status = SubmissionStatus.QUEUED
        submission.visible = outcome == EvaluationOutcome.PUBLISH_AND_QUEUE
        outbox_record(submission=submission, type="submission.queued", item=item)
    submission.save(update_fields=["status", "visible", "updated_at"])
    outbox_record(submission=submission, type="submission.evaluated",
                  extra={"outcome": outcome, "reasons": evaluation.reasons, "priority": evaluation.priority})
