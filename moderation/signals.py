"""Signals the host forum may listen to. Each is sent after the change, inside its transaction.

- ``revision_submitted(submission, revision)``: a new revision was stored and will be evaluated.
- ``submission_evaluated(submission, revision, evaluation)``: the policy decided on a revision.
- ``review_item_changed(item, action)``: a review item changed state; ``action`` is the audit row.
- ``submission_visibility_changed(submission, visible)``: whether readers may see the post changed (intake,
  evaluation, a moderator's decision), or a new submission got its first visibility. A host that mirrors the
  plugin's decision into its own object (hide/show a comment) listens to this one; for a new submission it is
  sent inside ``submission_submit``, so a host that creates its object after that call sets the object's state
  from ``result.submission.visible`` itself (docs/authoring.md, "Submitting posts").
"""
from django.dispatch import Signal

revision_submitted = Signal()
submission_evaluated = Signal()
review_item_changed = Signal()
submission_visibility_changed = Signal()


def visibility_changed_send(*, submission, previous: bool | None) -> None:
    """Send :data:`submission_visibility_changed` when ``submission.visible`` differs from ``previous``
    (``None``: the submission is new, so its first visibility is always news)."""
    if previous is None or previous != submission.visible:
        submission_visibility_changed.send(sender=type(submission), submission=submission,
                                           visible=submission.visible)
