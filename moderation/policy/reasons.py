"""What each reason code means, for people (the queue shows these; the code stays in data and the API)."""
from __future__ import annotations

REASON_LABELS: dict[str, str] = {
    "undisclosed_ai_suspected": "Undisclosed AI suspected",
    "mostly_ai_content": "Mostly AI-written",
    "new_author_ai_assisted": "New author, AI-assisted",
    "ai_research_unverified": "AI research not verified",
    "ai_share_understated": "AI share understated",
    "classifier_failed": "A classifier failed",
    "art50_label_missing": "EU AI label missing (Art. 50)",
    "resubmitted_after_changes": "Resubmitted after a fix",
    "edited_after_rejection": "Edited after rejection",
    "author_revised": "Author posted a new revision",
    "auto_rejected_ai_score": "Rejected automatically on score",
    "appeal": "Appeal",
    "reader_report": "Reader report",
}


def reason_label(code: str) -> str:
    """The human text for a reason code; an operator's own codes read as words."""
    return REASON_LABELS.get(code) or code.replace("_", " ").capitalize()
