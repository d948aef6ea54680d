"""What each reason code means, for people (the queue shows these; the code stays in data and the API)."""
from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

REASON_LABELS: dict[str, str] = {
    "undisclosed_ai_suspected": gettext_noop("Undisclosed AI suspected"),
    "mostly_ai_content": gettext_noop("Mostly AI-written"),
    "new_author_ai_assisted": gettext_noop("New author, AI-assisted"),
    "ai_research_unverified": gettext_noop("AI research not verified"),
    "ai_share_understated": gettext_noop("AI share understated"),
    "classifier_failed": gettext_noop("A classifier failed"),
    "art50_label_missing": gettext_noop("EU AI label missing (Art. 50)"),
    "resubmitted_after_changes": gettext_noop("Resubmitted after a fix"),
    "edited_after_rejection": gettext_noop("Edited after rejection"),
    "author_revised": gettext_noop("Author posted a new revision"),
    "edited_by_other": gettext_noop("Edited by someone other than the author"),
    "auto_rejected_ai_score": gettext_noop("Rejected automatically on score"),
    "appeal": gettext_noop("Appeal"),
    "reader_report": gettext_noop("Reader report"),
}


def reason_label(code: str) -> str:
    """The human text for a reason code; an operator's own codes read as words."""
    return gettext(REASON_LABELS[code]) if code in REASON_LABELS else code.replace("_", " ").capitalize()
