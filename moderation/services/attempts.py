"""Poison messages: every evaluation run of a revision is counted before it starts, so a post whose
evaluation kills its worker (or hangs past the time limit) is not redelivered and re-swept forever.

Past ``MODERATION["MAX_EVALUATION_ATTEMPTS"]`` runs, :func:`revision_give_up` stores an ``error`` result for
each classifier still without one, records an evaluation that holds the post (reason ``evaluation_gave_up``)
and opens a review item, so a person decides instead of the post waiting as ``pending`` for ever.
"""
from __future__ import annotations

import hashlib
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import signals
from ..classifiers.registry import configured_classifiers
from ..conf import app_settings
from ..models import Evaluation, EvaluationOutcome, ResultStatus, Revision, Submission

logger = logging.getLogger(__name__)

GAVE_UP_REASON = "evaluation_gave_up"


def revision_attempt_begin(*, revision_id: int) -> int | None:
    """Count one evaluation run of a revision (committed at once, before any work, so a run that dies still
    counts). Returns the new count, or None when the revision is gone. ``reevaluate`` resets the count."""
    updated = Revision.objects.filter(pk=revision_id).update(evaluation_attempts=F("evaluation_attempts") + 1)
    if not updated:
        return None
    return Revision.objects.values_list("evaluation_attempts", flat=True).get(pk=revision_id)


def attempts_exhausted(attempts: int | None) -> bool:
    return attempts is not None and attempts > app_settings.MAX_EVALUATION_ATTEMPTS


def revision_give_up(*, revision_id: int) -> Evaluation | None:
    """Stop trying to evaluate ``revision_id``: error results, a ``hold`` evaluation and a review item.

    Idempotent, and a no-op when the revision is no longer current or was evaluated meanwhile.
    """
    from .evaluation import classifier_result_store, submission_apply_evaluation

    with transaction.atomic():
        revision = Revision.objects.select_related("submission").filter(pk=revision_id).first()
        if revision is None:
            return None
        submission = Submission.objects.select_for_update().get(pk=revision.submission_id)
        revision.refresh_from_db(fields=["evaluated_at", "evaluation_attempts"])
        if submission.current_revision_id != revision.pk or revision.evaluated_at is not None:
            return None
        attempts = revision.evaluation_attempts
        message = (f"gave up after {attempts} evaluation attempts: the evaluation crashed its worker or ran past "
                   "its time limit each time")
        usable = {(r.classifier, r.version) for r in revision.classifier_results.exclude(status=ResultStatus.ERROR)}
        for classifier in configured_classifiers():
            if (classifier.name, str(classifier.version)) not in usable:
                classifier_result_store(revision=revision, output=classifier.output(status="error", error=message))
        results = list(revision.classifier_results.order_by("classifier", "id"))
        fingerprint = hashlib.sha256(f"{GAVE_UP_REASON}:{revision.pk}".encode()).hexdigest()
        evaluation, created = Evaluation.objects.get_or_create(
            revision=revision, fingerprint=fingerprint,
            defaults={"policy_version": GAVE_UP_REASON, "outcome": EvaluationOutcome.HOLD,
                      "reasons": [GAVE_UP_REASON], "priority": 40, "details": {"attempts": attempts,
                                                                               "error": message}})
        if created:
            submission_apply_evaluation(submission=submission, revision=revision, evaluation=evaluation,
                                        results=results)
        Revision.objects.filter(pk=revision.pk).update(evaluated_at=timezone.now())
        logger.error("revision %s: %s; held for a person", revision.pk, message)
        signals.submission_evaluated.send(sender=Submission, submission=submission, revision=revision,
                                          evaluation=evaluation)
    return evaluation
