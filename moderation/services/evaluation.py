"""The pipeline's write side: classifier results for a revision, then the policy's decision.

``revision_evaluate`` is what the ``evaluate_revision`` task runs. It is safe to run twice, or concurrently:
results are unique per (revision, classifier, version), evaluations per (revision, fingerprint of their
inputs), the decision is taken under the Submission row lock, and a revision that is no longer current, or
whose content hash differs from the caller's, is skipped.

Order of work: the classifiers that read text run first (the ones that wait on the network in parallel
threads); then the ``needs_results`` classifiers (disclosure consistency), which read the others' outputs;
then the policy. Classifiers marked for the ``slow`` queue (a language-model stage) run on the slow worker:
the fast task stores what it can and hands the rest over (:class:`SlowClassifiersPending`), so a slow model
never delays the fast classifiers of other posts.

A classifier that raises is stored as an ``error`` row (the policy then puts the post in front of a person);
the next evaluation of the same revision (a duplicate delivery, ``reevaluate``, the sweep) retries it as a
new row: the log is append-only (services/classifier_log.py). An ``ok`` row is never replaced. The
scan-cost policy (services/scan_cost.py) may skip a revision: each classifier then gets a ``skipped`` row
naming the rule.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from disclosure.blocks import BlockSyntaxError, Passage, parse_body
from disclosure.schema import Disclosure, load_stored

from .. import signals
from ..logs import pipeline_context
from ..classifiers.base import Classifier, ClassifierOutput, evidence_bar
from ..classifiers.registry import configured_classifiers
from ..conf import app_settings
from ..models import (
    ClassifierResult,
    Evaluation,
    EvaluationOutcome,
    ResultStatus,
    Revision,
    ReviewItemKind,
    ReviewStatus,
    Submission,
    SubmissionStatus,
)
from ..policy.engine import RulePolicy, current_policy, mark_edited_by_other, policy_build
from ..policy.inputs import PolicyInput
from ..selectors.results import results_current
from ..selectors.submissions import revisions_decided_under_another_policy
from .classifier_log import classifier_result_store, classifier_results_erase, local_request
from .enqueue import revision_enqueue
from .notify import notification_send, outbox_record
from .review import review_item_open_or_update

if TYPE_CHECKING:
    from .calibration import SiteRule

logger = logging.getLogger(__name__)


class SlowClassifiersPending(Exception):
    """The fast stage is stored; the named classifiers run on the slow queue, which then decides."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


# --- Running classifiers (no database) -------------------------------------------------------------

def result_as_output(result: ClassifierResult) -> ClassifierOutput:
    return ClassifierOutput(classifier=result.classifier, version=result.version, status=result.status,
                            score=result.score, passages=result.passage_scores or [], latency_ms=result.latency_ms,
                            error=result.error or None, details=result.details or {})


def classifiers_run(classifiers: Sequence[Classifier], passages: Sequence[Passage],
                    disclosure: Disclosure | None) -> list[ClassifierOutput]:
    """Run text-reading classifiers: CPU-bound ones in turn, I/O-bound ones in parallel threads."""
    io_bound = [c for c in classifiers if c.does_io]
    outputs = [c.run(passages, disclosure) for c in classifiers if not c.does_io]
    if io_bound:
        with ThreadPoolExecutor(max_workers=min(8, len(io_bound))) as pool:
            outputs += list(pool.map(lambda c: c.run(passages, disclosure), io_bound))
    return outputs


def evidence_bar_for(*, thresholds: Iterable[float], policy: RulePolicy) -> float | None:
    """The highest score a passage is compared with after classification: the site's calibrated thresholds
    and the policy's ``passage_score_at_least`` bars. Classifiers may stop gathering costly evidence once a
    passage reaches it (the detector's language model does); None when nothing sets one."""
    bars = [*thresholds, *policy.passage_score_bars()]
    return max(bars) if bars else None


def parse_failure_outputs(classifiers: Iterable[Classifier], error: BlockSyntaxError) -> list[ClassifierOutput]:
    message = f"the stored body no longer parses: {error.message}"
    return [c.output(status="error", error=message) for c in classifiers]


@dataclass
class TextScore:
    """What ``score_texts`` prints for one text: a post-level probability and the passages behind it."""

    ai_probability: float | None
    outputs: list[ClassifierOutput]
    passages: list[dict]
    #: some author passage reaches its classifier's threshold, or the post its post threshold (what the
    #: policy's ``passage_flagged`` reads)
    flagged: bool = False
    #: ``flag`` / ``no_evidence`` / ``insufficient_evidence``
    verdict: str = "insufficient_evidence"


def text_score(*, text: str, fmt: str = "markdown", disclosure: Disclosure | None = None,
               classifiers: Sequence[Classifier] | None = None,
               thresholds: dict[tuple[str, str], SiteRule] | None = None) -> TextScore:
    """Score a text with the configured stack, without touching the database.

    ``ai_probability`` is the mean of the text-reading classifiers' post scores (consistency checks are
    reported but not averaged in); ``None`` when none could score it. ``thresholds`` are the site's
    calibrated thresholds (:func:`.calibration.site_thresholds`), applied as the pipeline applies them.
    Raises ``BlockSyntaxError``.
    """
    from .calibration import outputs_verdict, site_threshold_values, site_thresholds_apply

    classifiers = list(configured_classifiers() if classifiers is None else classifiers)
    passages = parse_body(text, fmt).passages
    # the configured policy's bars without the admin's rules: this function does not read the database
    bar = evidence_bar_for(thresholds=site_threshold_values(thresholds or {}),
                           policy=policy_build(app_settings.POLICY, with_db_rules=False))
    with evidence_bar(bar):
        outputs = classifiers_run([c for c in classifiers if not c.needs_results], passages, disclosure)
    site_thresholds_apply(outputs, thresholds or {})
    outputs += [c.run(passages, disclosure, outputs) for c in classifiers if c.needs_results]
    primary = [o for o in outputs if o.status == "ok" and o.score is not None
               and not any(c.needs_results and c.name == o.classifier for c in classifiers)]
    probability = round(sum(o.score for o in primary) / len(primary), 4) if primary else None
    flagged, verdict = outputs_verdict(primary)
    rows = []
    for output in outputs:
        for scored in output.passages:
            rows.append({"classifier": output.classifier, **scored.model_dump(mode="json", exclude={"spans"})})
    return TextScore(probability, outputs, rows, flagged, verdict)


#: Plain prose of our own (about 120 words): long enough for the detector to make windows and reach its
#: language-model stage, so a warm-up loads everything a real post will need.
WARM_UP_TEXT = (
    "Our allotment group meets on the first Saturday of every month, and this spring we finally fixed the "
    "water butts that leaked all last summer. Three of us spent a morning replacing the taps, which turned out "
    "to be easier than the shop assistant had warned, and the rest of the group cleared the compost bays.\n\n"
    "We also agreed to try a seed swap in May. Anyone with spare tomato or bean seedlings can bring them to the "
    "shed, label them with the variety, and take something else home. Last year a few people ended up with far "
    "too many courgettes, so this time we will keep a short list on the noticeboard of who grows what."
)


def classifiers_warm_up() -> list[str]:
    """Load the configured local classifiers' models now; returns the names of those run.

    Each classifier that does not wait on the network scores :data:`WARM_UP_TEXT` once, which loads its
    artifacts (the statistical classifier's language model takes seconds, tens of seconds on a busy machine).
    A Celery pool process calls this as it starts (``worker_process_init``), before it takes any task, so the
    first posts after a worker (re)start do not queue behind the model loads. Nothing is stored; a classifier
    that fails here is only logged (its real runs store the error).
    """
    passages = parse_body(WARM_UP_TEXT, "markdown").passages
    warmed = []
    for classifier in configured_classifiers():
        if classifier.does_io or classifier.needs_results:
            continue
        output = classifier.run(passages, None)
        if output.status == "error":
            logger.warning("warming up classifier %s failed: %s", classifier.name, output.error)
        warmed.append(classifier.name)
    return warmed


# --- Storing results ------------------------------------------------------------------------------

def revision_classify(*, revision: Revision, queue: str | None = None,
                      policy: RulePolicy | None = None) -> list[ClassifierResult]:
    """Run every configured classifier that has no usable result yet and return the current results.

    ``queue`` limits the text-reading classifiers run here to those of that queue for this text
    (:meth:`~moderation.classifiers.base.Classifier.queue_for`; ``None``: all). When
    classifiers of another queue still lack a result, raises :class:`SlowClassifiersPending` after storing
    this stage's results, and the derived classifiers wait for the complete set. ``policy``: the policy the
    results will be judged by (default: the one in force), whose passage bars the classifiers learn.
    """
    configured = configured_classifiers()
    primary = [c for c in configured if not c.needs_results]
    derived = [c for c in configured if c.needs_results]
    usable = {(r.classifier, r.version) for r in revision.classifier_results.exclude(status=ResultStatus.ERROR)}
    missing = [c for c in primary if (c.name, str(c.version)) not in usable]
    disclosure = load_stored(revision.disclosure)
    try:
        passages = parse_body(revision.body, revision.format).passages
    except BlockSyntaxError as exc:  # an older revision under a newer parser: a person looks at it
        for output in parse_failure_outputs(configured, exc):
            classifier_result_store(revision=revision, output=output)
        return _current_results(revision, configured)
    from .scan_cost import revision_scan_skipped

    if revision_scan_skipped(revision=revision, classifiers=configured):  # recorded as ``skipped`` rows
        return _current_results(revision, configured)
    # A slow classifier whose slow stage would not look at this text (too short for its model) runs here
    # too: a short post is decided by one task instead of waiting for a hand-over to the slow queue.
    todo = [c for c in missing if queue is None or c.queue_for(passages) == queue]
    sent = local_request(passages)
    from .calibration import site_threshold_values, site_thresholds, site_thresholds_apply

    thresholds = site_thresholds() if todo else {}
    with evidence_bar(evidence_bar_for(thresholds=site_threshold_values(thresholds),
                                       policy=policy or current_policy())):
        outputs = classifiers_run(todo, passages, disclosure)
    if outputs:
        site_thresholds_apply(outputs, thresholds)  # a forum's own threshold (calibrate_detector)
    with transaction.atomic():  # one commit for this stage's results, not one per classifier
        for output in outputs:
            classifier_result_store(revision=revision, output=output, request=sent)
    pending = [c.name for c in missing if c not in todo]
    if pending:
        raise SlowClassifiersPending(pending)
    if derived:
        inputs = [result_as_output(r) for r in _current_results(revision, primary)]
        for classifier in derived:
            classifier_result_store(revision=revision, output=classifier.run(passages, disclosure, inputs),
                                    replace=True, request=sent)
    return _current_results(revision, configured)


def _current_results(revision: Revision, classifiers: Sequence[Classifier]) -> list[ClassifierResult]:
    return results_current(revision, {(c.name, str(c.version)) for c in classifiers})


def _fingerprint(results: list[ClassifierResult], policy_version: str) -> str:
    key = json.dumps([policy_version, sorted((r.classifier, r.version, r.status, r.pk,
                                              (r.details or {}).get("inputs_key", "")) for r in results)])
    return hashlib.sha256(key.encode()).hexdigest()


# --- Deciding -------------------------------------------------------------------------------------

def revision_evaluate(*, revision_id: int, content_hash: str | None = None,
                      queue: str | None = None) -> Evaluation | None:
    """Classify a revision and apply the policy. Returns the evaluation, or None when the work is stale.

    Raises :class:`SlowClassifiersPending` when ``queue`` is given and classifiers of another queue remain.
    """
    revision = Revision.objects.select_related("submission").filter(pk=revision_id).first()
    if revision is None or (content_hash and revision.content_hash != content_hash):
        logger.info("evaluation skipped: revision %s is gone or changed", revision_id)
        return None
    with pipeline_context(submission=revision.submission, revision=revision):
        if revision.submission.current_revision_id != revision.pk:
            logger.info("evaluation skipped: a newer revision exists")
            return None
        if revision.submission.author_erased_at is not None:  # its text is gone (services/erasure.py)
            logger.info("evaluation skipped: the author's data was erased")
            return None
        evaluation = _revision_evaluate(revision, queue=queue)
        if evaluation is not None:
            logger.info("evaluated: %s", evaluation.outcome,
                        extra={"outcome": evaluation.outcome, "reasons": evaluation.reasons,
                               "priority": evaluation.priority, "policy_version": evaluation.policy_version})
        return evaluation


def revision_decide(*, policy: RulePolicy, submission: Submission, revision: Revision, results):
    """The policy's decision on a revision as the pipeline takes it: the rules, then the recorded-assistance
    finding (a reason, never an action), then the mark of a version someone else saved. ``policy_dryrun``
    replays with it too, so that its "before" and "after" are decided the same way."""
    from .recorded import recorded_finding_apply

    decision = policy.decide(PolicyInput.build(submission=submission, revision=revision, results=results))
    decision = recorded_finding_apply(decision=decision, revision=revision)
    return mark_edited_by_other(decision=decision, revision=revision)


def _revision_evaluate(revision: Revision, *, queue: str | None) -> Evaluation | None:
    policy = current_policy()
    results = revision_classify(revision=revision, queue=queue, policy=policy)
    fingerprint = _fingerprint(results, policy.version)
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=revision.submission_id)
        if submission.current_revision_id != revision.pk:
            return None
        if submission.author_erased_at is not None:  # erased while the classifiers read it: nothing to decide,
            # and what they wrote about the text goes too (the erasure could not see these rows yet)
            classifier_results_erase(revision_ids=[revision.pk])
            return None
        existing = Evaluation.objects.filter(revision=revision, fingerprint=fingerprint).first()
        if existing is not None:
            Revision.objects.filter(pk=revision.pk, evaluated_at__isnull=True).update(evaluated_at=timezone.now())
            applied = Revision.objects.filter(pk=revision.pk).values_list("applied_evaluation_id", flat=True).first()
            if applied != existing.pk:
                # the same inputs as an evaluation the post took before, and then left for another (a policy
                # put back as it was): the post takes it again, or it would keep the other policy's outcome
                submission_apply_evaluation(submission=submission, revision=revision, evaluation=existing,
                                            results=results, again=True)
                signals.submission_evaluated.send(sender=Submission, submission=submission, revision=revision,
                                                  evaluation=existing)
            return existing
        decision = revision_decide(policy=policy, submission=submission, revision=revision, results=results)
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
                                results: list[ClassifierResult], again: bool = False) -> None:
    """Turn the policy's outcome into the submission's status, visibility and review item (caller holds lock).

    A moderator's decision on this very revision stands: re-scoring it (``reevaluate`` after a classifier
    upgrade) records the new evaluation and reports it, but does not reopen or undo the decision, nor show or
    hide the post, also while an appeal or a reader's report of it waits (the post is ``queued`` then). An
    automatic rejection never answers an author's waiting appeal: the post is held for the person who does.
    ``again``: the evaluation was applied to this revision before (a policy put back as it was).
    """
    Revision.objects.filter(pk=revision.pk).update(applied_evaluation=evaluation)
    outcome = evaluation.outcome
    scores = [r.score for r in results if r.score is not None]
    top_score = max(scores) if scores else None
    previously_visible = submission.visible
    # an automatic rejection of this revision with no item to carry it (a post rejected on arrival); the one
    # being applied counts when it was applied before (a policy put back as it was): it rejected the post then
    rejections = revision.evaluations.filter(outcome=EvaluationOutcome.AUTO_REJECT)
    if not again:
        rejections = rejections.exclude(pk=evaluation.pk)
    decided_here = submission.review_items.filter(revision=revision, status=ReviewStatus.DECIDED).exists() or (
        submission.status == SubmissionStatus.REJECTED and rejections.exists())
    if decided_here:
        pass
    elif outcome == EvaluationOutcome.PUBLISH and not submission.review_items.exclude(
            status=ReviewStatus.DECIDED).exists():
        submission.status = SubmissionStatus.PUBLISHED
        submission.visible = True
    elif outcome == EvaluationOutcome.AUTO_REJECT and not submission.review_items.filter(
            kind=ReviewItemKind.APPEAL).exclude(status=ReviewStatus.DECIDED).exists():  # no appeal waiting
        from_status, submission.status = submission.status, SubmissionStatus.REJECTED
        submission.visible = False
        # the rule's template's message; without one, the default, in the author's language
        notification_send(submission=submission, verb="review.reject", automatic=True,
                          note=(evaluation.details or {}).get("message") or "")
        from .auto_reject import auto_reject_record

        auto_reject_record(submission=submission, evaluation=evaluation, from_status=from_status)
    else:
        # A clean re-evaluation of the same revision (a failed classifier retried, an upgrade) keeps the post in
        # the queue with the reasons it came for: only a person takes a post out of the queue. (A clean *new*
        # revision is the review service's business: it says "author_revised".)
        undecided = submission.review_items.exclude(status=ReviewStatus.DECIDED).first()
        reasons, priority = evaluation.reasons, evaluation.priority
        if undecided is not None and not reasons and undecided.revision_id == revision.pk:
            reasons, priority = undecided.reasons, max(priority, undecided.priority)
        item = review_item_open_or_update(submission=submission, revision=revision, evaluation=evaluation,
                                          reasons=reasons, priority=priority, top_score=top_score)
        submission.status = SubmissionStatus.QUEUED
        # A revision the policy would publish stays visible while a person looks: a reader report never hides a
        # post, and a clean edit made a reported post invisible.
        submission.visible = outcome in (EvaluationOutcome.PUBLISH, EvaluationOutcome.PUBLISH_AND_QUEUE)
        outbox_record(submission=submission, type="submission.queued", item=item)
    submission.save(update_fields=["status", "visible", "updated_at"])
    from .labelling import classifier_label_apply

    classifier_label_apply(submission=submission, revision=revision, results=results)
    signals.visibility_changed_send(submission=submission, previous=previously_visible)
    outbox_record(submission=submission, type="submission.evaluated",
                  extra={"outcome": outcome, "reasons": evaluation.reasons, "priority": evaluation.priority})


# --- Enqueueing, sweeping, re-scoring --------------------------------------------------------------

def revisions_unevaluated(*, older_than_seconds: float | None = None):
    """Current revisions the pipeline has not finished, oldest first (what the sweep re-enqueues)."""
    seconds = app_settings.SWEEP_AFTER_SECONDS if older_than_seconds is None else older_than_seconds
    cutoff = timezone.now() - timedelta(seconds=seconds)
    return Revision.objects.filter(submission__current_revision=F("pk"), evaluated_at__isnull=True,
                                   created_at__lte=cutoff).order_by("created_at")


def revisions_sweep_unevaluated(*, limit: int = 500) -> int:
    """Re-enqueue current revisions left unevaluated (broker down at submit, a lost task). Returns how many.

    A revision whose message the broker never took is sent once it is ``SWEEP_AFTER_SECONDS`` old; one it
    took, only ``SWEEP_RESEND_AFTER_SECONDS`` after that send: until then the message is most likely still
    waiting in the queue, and a re-send would add a duplicate (and an evaluation attempt) every beat.
    Duplicates that do happen are harmless: the task is idempotent.
    """
    resend_cutoff = timezone.now() - timedelta(seconds=app_settings.SWEEP_RESEND_AFTER_SECONDS)
    due = revisions_unevaluated().filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=resend_cutoff))
    sent = 0
    rows = due.values_list("pk", "content_hash", "evaluation_attempts")[:limit]
    for revision_id, content_hash, attempts in rows:
        if attempts >= app_settings.MAX_EVALUATION_ATTEMPTS:  # a poison message: a person decides instead
            revision_give_up(revision_id=revision_id)
        elif not configured_classifiers():
            revision_evaluate(revision_id=revision_id, content_hash=content_hash)
            sent += 1
        elif revision_enqueue(revision_id=revision_id, content_hash=content_hash):
            sent += 1
        else:
            break  # the broker is down: the next sweep tries again
    return sent


class UnknownClassifier(ValueError):
    pass


def revisions_to_rescore(*, since=None, classifier: str | None = None,
                         everything: bool = False) -> list[tuple[int, str]]:
    """(id, content hash) of current revisions to send through the queue again, oldest first.

    By default those missing a usable result of a configured classifier (or of ``classifier``): after an
    upgrade the new version has no rows yet, so its revisions are exactly these, and their evaluation
    fingerprint will change. Without ``classifier``, also those last decided under another version of the
    policy (its rules changed, or how they are read, ``ENGINE_VERSION``): their results are all there, and
    only a new evaluation applies the policy now in force. ``everything`` re-sends them all (harmless:
    nothing new → same evaluation).
    """
    configured = [c for c in configured_classifiers() if not c.needs_results]
    if classifier is not None:
        configured = [c for c in configured if c.name == classifier]
        if not configured:
            names = ", ".join(sorted(c.name for c in configured_classifiers())) or "none"
            raise UnknownClassifier(f"No configured classifier is called {classifier!r} (configured: {names}).")
    revisions = Revision.objects.filter(submission__current_revision=F("pk"), submission__author_erased_at=None)
    if since is not None:
        revisions = revisions.filter(created_at__gte=since)
    rows = list(revisions.order_by("created_at", "pk").values_list("pk", "content_hash"))
    if everything:
        return rows
    wanted = {(c.name, str(c.version)) for c in configured}
    done: dict[int, set] = {}
    for revision_id, name, version in ClassifierResult.objects.filter(
            revision__in=revisions, classifier__in={n for n, _ in wanted}).exclude(
            status=ResultStatus.ERROR).values_list("revision_id", "classifier", "version"):
        done.setdefault(revision_id, set()).add((name, version))
    stale = set() if classifier is not None else set(
        revisions_decided_under_another_policy(revisions).values_list("pk", flat=True))
    return [(pk, h) for pk, h in rows if not wanted <= done.get(pk, set()) or pk in stale]


# --- Poison messages --------------------------------------------------------------------------------
# Every evaluation run of a revision is counted before it starts, so a post whose evaluation kills its worker
# (or runs past the time limit) is not redelivered and re-swept for ever. Past
# ``MODERATION["MAX_EVALUATION_ATTEMPTS"]`` runs, :func:`revision_give_up` stores an ``error`` result for each
# classifier still without one, records an evaluation that holds the post (reason ``evaluation_gave_up``) and
# opens a review item, so a person decides instead of the post waiting as ``pending`` for ever.

GAVE_UP_REASON = Evaluation.GAVE_UP


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
