"""What the author is told about the revision they see: the moderator's decision on it and its statement of
reasons.

A decision belongs to the revision the moderator read (``services/review.py`` refuses one on any other). Once
the author posts a new revision, the earlier decision's message and statement no longer apply to what the
page shows, so the host's post page asks for the current revision's outcome, not the submission's latest;
the history stays in the author's notifications and in the statements of reasons (API, export).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..models import ReviewItem, ReviewStatus, Revision, StatementOfReasons, Submission


@dataclass(frozen=True)
class RevisionOutcome:
    #: The last decided review item on the revision (``decision_message`` is the moderator's message), or None.
    decision: ReviewItem | None
    #: The statement of reasons written with a decision on the revision, or None.
    statement: StatementOfReasons | None


def revision_outcome(submission: Submission, revision: Revision | None = None) -> RevisionOutcome:
    """The decision and statement about ``revision`` (default: the submission's current one); two queries."""
    revision = revision or submission.current_revision
    if revision is None:
        return RevisionOutcome(decision=None, statement=None)
    decision = (submission.review_items.filter(status=ReviewStatus.DECIDED, revision=revision)
                .order_by("-decided_at", "-id").first())
    # The statement records the revision it judged (facts_and_circumstances.revision, written with it): its
    # review item may be gone (SET_NULL) and an automatic rejection has none.
    statement = (submission.statements.filter(data__facts_and_circumstances__revision=revision.number)
                 .order_by("-created_at", "-id").first())
    return RevisionOutcome(decision=decision, statement=statement)
