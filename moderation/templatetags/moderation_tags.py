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
from django.utils.translation import gettext, gettext_noop

from disclosure.schema import load_stored

from ..selectors.labels import submission_label
from ..selectors.passage_report import revision_passage_report

register = template.Library()


@register.inclusion_tag("moderation/_passage_scores.html")
def passage_scores(revision, results_table=True, heading_level=2):
    """``results_table=False`` where the page already lists the classifier results
    (the moderator's item page has its own table with verdict buttons); ``heading_level``: its title's, under
    the page's own headings (the item page puts it in a section of its own, at 3)."""
    return {"report": revision_passage_report(revision) if revision is not None else None,
            "results_table": results_table, "heading_level": heading_level}


@register.filter
def age(when):
    """How long ago, for people: "just now" under a minute (Django's ``timesince``
    says "0 minutes"), otherwise "3 hours, 2 minutes"."""
    from django.utils import timezone
    from django.utils.timesince import timesince

    if when is None:
        return ""
    if (timezone.now() - when).total_seconds() < 60:
        return gettext("just now")
    return timesince(when)


@register.filter
def age_ago(when):
    """"just now", or "3 hours ago" (a whole phrase, so that each language can order it)."""
    from django.utils import timezone
    from django.utils.timesince import timesince

    if when is None:
        return ""
    if (timezone.now() - when).total_seconds() < 60:
        return gettext("just now")
    return gettext("%(age)s ago") % {"age": timesince(when)}


@register.filter
def reason_label(code):
    """``undisclosed_ai_suspected`` → "Undisclosed AI suspected"."""
    from ..policy.reasons import reason_label as label

    return label(str(code))


#: The statement of reasons is read by the author: words, not the codes stored for machines (the codes stay
#: in data-* attributes and in the API's JSON).
STATEMENT_ACTIONS = {"approve": gettext_noop("Approved"), "reject": gettext_noop("Rejected"),
                     "request_changes": gettext_noop("Changes requested"), "hide": gettext_noop("Hidden"),
                     "auto_reject": gettext_noop("Rejected automatically")}
STATEMENT_RESTRICTIONS = {
    # an approval also restores a post that was hidden or rejected (an upheld appeal): "stays" was wrong there
    "none": gettext_noop("the post is visible to readers"),
    "removal": gettext_noop("the post is removed from the forum"),
    "visibility_restricted_until_corrected": gettext_noop(
        "the post is hidden from readers until the disclosure is corrected"),
    "visibility_restricted": gettext_noop("the post is hidden from readers"),
}


@register.filter
def appeal_state(statement) -> str:
    """The redress line as it is now, not as it was when the statement was written: ``open`` (the author may
    appeal, below), ``appealed`` (they did), or ``closed``. The stored statement said "you can appeal" after the
    author had appealed."""
    from ..models import ReviewItemKind
    from ..policy.appeals import AppealRefused, appeal_check

    if not statement.data.get("redress", {}).get("internal_complaint", {}).get("available"):
        return "closed"
    try:
        appeal_check(statement.submission)
    except AppealRefused:
        appealed = statement.submission.review_items.filter(kind=ReviewItemKind.APPEAL).exists()
        return "appealed" if appealed else "closed"
    return "open"


@register.filter
def statement_action(code):
    """``request_changes`` → "Changes requested"."""
    known = STATEMENT_ACTIONS.get(str(code))
    return gettext(known) if known else str(code).replace("_", " ").capitalize()


@register.filter
def statement_restriction(code):
    """``removal`` → "the post is removed from the forum"."""
    known = STATEMENT_RESTRICTIONS.get(str(code))
    return gettext(known) if known else str(code).replace("_", " ")


@register.filter
def statement_label(value):
    """``ai_generated`` → "Mostly AI-written" (the badge text readers see)."""
    from disclosure.labels import LABELS

    known = LABELS.get(str(value))
    return gettext(known) if known else str(value).replace("_", " ")


@register.filter
def statement_text(text):
    """A sentence the statement stored in English (the redress texts), in the reader's language when the
    catalogue knows it; any other text as it was stored."""
    return gettext(text) if text else text


@register.filter
def statement_rule(code):
    """The moderator's reason template by its title (``low-effort-ai`` → "Low-effort AI content"); a code
    with no template reads as words."""
    from ..models import RejectionTemplate

    title = RejectionTemplate.objects.filter(code=str(code)).values_list("title", flat=True).first()
    return title or str(code).replace("-", " ").replace("_", " ").capitalize()


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
