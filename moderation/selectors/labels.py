"""The label readers see, and whether a revision has declared AI blocks (the queue, the API, the host forum)."""
from __future__ import annotations

from disclosure.blocks import BlockSyntaxError, parse_body
from disclosure.labels import Label, derive_label
from disclosure.schema import load_stored

from ..models import Revision, Submission


def revision_has_ai_blocks(revision: Revision) -> bool:
    """Stored at intake (no parse per label, i.e. per row of a front page); parsed only for rows made
    before the column existed."""
    if revision.has_ai_blocks is not None:
        return revision.has_ai_blocks
    try:
        return parse_body(revision.body, revision.format).has_ai_blocks
    except BlockSyntaxError:  # stored revisions parsed at intake; an older parser version may disagree
        return False


def submission_label(submission: Submission, revision: Revision | None = None) -> Label:
    """The label readers see: moderator's (locked) > classifier's (if the policy showed one) > author's."""
    revision = revision or submission.current_revision
    return derive_label(
        disclosure=load_stored(revision.disclosure) if revision else None,
        has_ai_blocks=revision_has_ai_blocks(revision) if revision else False,
        override_value=submission.label_value, override_source=submission.label_source,
        locked=submission.label_locked,
    )
