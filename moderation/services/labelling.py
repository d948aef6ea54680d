"""Where a submission's label comes from, and the rules that keep it from contradicting itself.

One label value per post, derived by ``disclosure.labels.derive_label``: a moderator's (locked) beats a
classifier-derived one the operator opted into (``MODERATION["CLASSIFIER_LABEL"]``), which beats the
author's disclosure. The badge, EU variant, IPTC type and JSON-LD all follow that one value.

- :func:`moderator_label_check`: a moderator may apply ``human_only``, ``ai_assisted`` or ``ai_generated``;
  ``not_disclosed`` is refused (it describes the author's declaration, not a verdict), and so is any
  other value.
- :func:`submission_label_for_new_revision`: intake keeps a locked label on every new revision, and drops a
  classifier-derived label, which judged the previous text.
- :func:`classifier_label_apply`: after an evaluation, shows (or withdraws) the classifier-derived label.
"""
from __future__ import annotations

from django.utils.translation import gettext

from disclosure.errors import InputInvalid
from disclosure.labels import AI_LABELS, MODERATOR_LABELS

from ..conf import DEFAULTS, app_settings
from ..models import ClassifierResult, LabelSource, ResultStatus, Revision, Submission


class LabelInvalid(InputInvalid):
    """A label a moderator may not apply; the decision service reports it on the ``label`` field."""

    default_field = "label"


def moderator_label_check(*, label: str) -> None:
    """Raise :class:`LabelInvalid` for a label a moderator may not apply."""
    if label not in MODERATOR_LABELS:
        if label == "not_disclosed":
            raise LabelInvalid(gettext("“Not disclosed” describes the author's declaration and cannot be "
                                       "applied by a moderator; choose human_only, ai_assisted or ai_generated."),
                               field="label")
        raise LabelInvalid(gettext("Unknown label %(label)r; use one of %(labels)s.")
                           % {"label": label, "labels": ", ".join(MODERATOR_LABELS)}, field="label")


def submission_label_for_new_revision(*, submission: Submission) -> None:
    """Apply the label rules to a submission getting a new revision (intake; the caller saves the row).

    A locked label (a moderator's) stays, whatever the author now declares; a classifier-derived label is
    dropped, because it judged the text that was replaced.
    """
    if submission.label_locked:
        return
    submission.label_value = ""
    submission.label_source = LabelSource.AUTHOR


def _config() -> dict:
    return {**DEFAULTS["CLASSIFIER_LABEL"], **(app_settings.CLASSIFIER_LABEL or {})}


def classifier_label_apply(*, submission: Submission, revision: Revision, results: list[ClassifierResult]) -> None:
    """Show a classifier-derived label (``source: classifier``) when the operator opted in, the post is not
    declared as AI, and the top classifier score reaches ``min_score``; withdraw it when that stops holding.
    Never touches a locked label. Saves the label fields (caller holds the Submission lock)."""
    config = _config()
    if submission.label_locked or submission.label_source == LabelSource.MODERATOR:
        return
    value = config.get("value") if config.get("value") in AI_LABELS else "ai_assisted"
    show = False
    if config.get("enabled"):
        from disclosure.labels import derive_label
        from disclosure.schema import load_stored

        from ..selectors.labels import revision_has_ai_blocks

        declared = derive_label(disclosure=load_stored(revision.disclosure),
                                has_ai_blocks=revision_has_ai_blocks(revision))
        scores = [r.score for r in results if r.status == ResultStatus.OK and r.score is not None]
        show = not declared.is_ai and bool(scores) and max(scores) >= float(config.get("min_score", 0.9))
    new = (value, LabelSource.CLASSIFIER) if show else ("", LabelSource.AUTHOR)
    if (submission.label_value, submission.label_source) != new:
        submission.label_value, submission.label_source = new
        submission.save(update_fields=["label_value", "label_source", "updated_at"])

