"""Template tags the host forum and the moderator queue share.

``{% load moderation_tags %}{% passage_scores revision %}`` renders the body passage by passage: declared AI
blocks marked, every scored stretch coloured by its probability with the classifiers and top features behind
it, flagged stretches (undeclared prose at or above the flag threshold) outlined, and each classifier's
status, including failures. Show it to moderators and the post's author, not to every reader.

``{% submission_label_block submission %}`` is what readers see above a post: the label's badge and the EU
AI Act Art. 50 mark with its sentence and "How AI was used" panel, in one tag (nothing for a submission
without a revision).
"""
from django import template

from disclosure.schema import load_stored

from ..selectors.labels import submission_label
from ..selectors.passage_report import revision_passage_report

register = template.Library()


@register.inclusion_tag("moderation/_passage_scores.html")
def passage_scores(revision, results_table=True):
    """``results_table=False`` where the page already lists the classifier results
    (the moderator's item page has its own table with verdict buttons)."""
    return {"report": revision_passage_report(revision) if revision is not None else None,
            "results_table": results_table}


@register.filter
def age(when):
    """How long ago, for people: "just now" under a minute (Django's ``timesince``
    says "0 minutes"), otherwise "3 hours, 2 minutes"."""
    from django.utils import timezone
    from django.utils.timesince import timesince

    if when is None:
        return ""
    if (timezone.now() - when).total_seconds() < 60:
        return "just now"
    return timesince(when)


@register.filter
def reason_label(code):
    """``undisclosed_ai_suspected`` → "Undisclosed AI suspected"."""
    from ..policy.reasons import reason_label as label

    return label(str(code))


@register.filter
def percent(value):
    """0.934 → "93%"; None → "–"."""
    if value is None:
        return "–"
    return f"{round(float(value) * 100)}%"


@register.inclusion_tag("moderation/label_block.html")
def submission_label_block(submission, compact=False):
    """The badge and the EU mark of the submission's current revision, as readers see them."""
    revision = submission.current_revision if submission is not None else None
    if revision is None:
        return {"submission": None}
    return {"submission": submission, "label": submission_label(submission, revision),
            "disclosure": load_stored(revision.disclosure), "compact": compact}
