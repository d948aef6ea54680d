"""The appeal rule, in one place: an author may contest a decision that removed their post or restricted who
sees it (a rejection, or hiding it: DSA Art. 20 covers both) once, and a person looks.

Used by the service that files the appeal (:func:`moderation.services.review.review_item_appeal`, under the
submission's row lock) and by the host forum to decide whether to offer the appeal form at all, so the two
can never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from ..models import (
    DecisionAction,
    Evaluation,
    EvaluationOutcome,
    ReviewItemKind,
    ReviewStatus,
    Submission,
    SubmissionStatus,
)


#: the decisions an author can appeal: those that take the post away from its readers
APPEALABLE_DECISIONS = (DecisionAction.REJECT, DecisionAction.HIDE)


class AppealRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class AppealBasis:
    """The decision being contested: the appeal item inherits its evaluation, reasons, priority and score."""

    evaluation: Evaluation | None
    reasons: list[str]
    priority: int
    top_score: float | None


def appeal_check(submission: Submission) -> AppealBasis:
    """What an appeal of ``submission`` would contest; raises :class:`AppealRefused` saying why there is none.

    The "once" rule is checked first, so an author who appealed hears that, not a status message. A rejection
    the policy made on its own (opt-in ``auto_reject``) is appealable too.
    """
    if submission.author_erased_at is not None:
        raise AppealRefused(gettext("This post's author was erased; the post can no longer be appealed."))
    if submission.review_items.filter(kind=ReviewItemKind.APPEAL).exists():
        raise AppealRefused(gettext("This post was appealed already; each post can be appealed once."))
    if submission.review_items.exclude(status=ReviewStatus.DECIDED).exists():
        raise AppealRefused(gettext("This post is already waiting for a moderator."))
    if submission.status not in (SubmissionStatus.REJECTED, SubmissionStatus.HIDDEN):
        raise AppealRefused(gettext("Only a rejected or hidden post can be appealed."))
    last = submission.review_items.filter(status=ReviewStatus.DECIDED).order_by("-decided_at", "-id").first()
    auto = Evaluation.objects.filter(revision=submission.current_revision_id,
                                     outcome=EvaluationOutcome.AUTO_REJECT).order_by("-created_at", "-id").first()
    if auto is not None and (last is None or last.decided_at is None or auto.created_at > last.decided_at):
        scores = [r.score for r in submission.current_revision.classifier_results.all() if r.score is not None]
        return AppealBasis(auto, auto.reasons, auto.priority, max(scores) if scores else None)
    if last is not None and last.decision_action in APPEALABLE_DECISIONS:
        return AppealBasis(last.evaluation, last.reasons, last.priority, last.top_score)
    raise AppealRefused(gettext("Only a rejected or hidden post can be appealed."))


def submission_can_appeal(submission: Submission) -> bool:
    """Whether the author may appeal now (the host forum shows the appeal form only then)."""
    try:
        appeal_check(submission)
    except AppealRefused:
        return False
    return True
