"""The shipped default policy, case by case: who is published, queued or held, and why.

Each row is (author standing, disclosure, classifier results, other inputs) → (outcome, reasons). The
inputs are built directly so every row reads as one sentence of the policy.
"""
from __future__ import annotations

import pytest

from disclosure.schema import load_stored
from moderation.models import ClassifierResult
from moderation.policy.engine import policy_build
from moderation.policy.inputs import PolicyInput

HUMAN = {"human_only": True}
EDITING_MINOR = {"human_only": False, "assistance": [{"kind": "editing", "extent": "minor"}], "ai_share_percent": 5,
                 "process": "I asked the assistant to tighten the wording; the content is mine."}
DRAFTING_SUBSTANTIAL = {"human_only": False, "assistance": [{"kind": "drafting", "extent": "substantial"}],
                        "ai_share_percent": 40, "process": "The model drafted the marked section from my outline."}
DRAFTING_MOST = {"human_only": False, "assistance": [{"kind": "drafting", "extent": "most"}], "ai_share_percent": 85,
                 "process": "The model wrote the draft from my notes; I edited it lightly."}
RESEARCH_UNCHECKED = {"human_only": False, "assistance": [{"kind": "research", "extent": "substantial"}],
                      "process": "I asked the assistant to find studies and list them for me.", "verification": "ok"}
RESEARCH_CHECKED = {**RESEARCH_UNCHECKED,
                    "verification": "I read the two most relevant studies in full and checked each number I quote."}


def result(classifier="keyword", *, status="ok", score=None, passages=(), findings=None):
    return ClassifierResult(classifier=classifier, version="1", status=status, score=score,
                            passage_scores=[{"start": 0, "end": 10, "kind": kind, "probability": p, "status": "ok"}
                                            for kind, p in passages],
                            details={"findings": [{"code": f} for f in findings]} if findings else {})


AUTHOR_AI = result(score=0.6, passages=[("author", 0.92)])
AUTHOR_AI_STRONG = result(score=0.9, passages=[("author", 0.995)])


def calibrated(probability, threshold=0.979):
    """A classifier that reports its own operating point, as the built-in detector does."""
    flagged = result("statistical", score=probability, passages=[("author", probability)])
    flagged.details = {"threshold": threshold}
    return flagged
AUTHOR_HUMAN = result(score=0.05, passages=[("author", 0.05)])
DECLARED_AI_ONLY = result(score=0.5, passages=[("declared_ai", 0.99), ("author", 0.1)])
BROKEN = result("broken", status="error")
CONSISTENCY = result("disclosure_consistency", findings=["human_only_contradicted"])
UNDERSTATED = result("disclosure_consistency", findings=["declared_share_understated"])

CASES = [
    # (id, standing, disclosure, results, extra, outcome, reasons)
    ("clean human post is published", "regular", HUMAN, [AUTHOR_HUMAN], {}, "publish", []),
    ("minor editing is published", "new", EDITING_MINOR, [AUTHOR_HUMAN], {}, "publish", []),
    ("declared AI block scoring high is not suspicious", "regular", DRAFTING_SUBSTANTIAL, [DECLARED_AI_ONLY], {},
     "publish", []),
    ("undeclared AI text from a new author is held", "new", HUMAN, [AUTHOR_AI], {}, "hold",
     ["undisclosed_ai_suspected"]),
    ("undeclared AI text from a regular author is published and queued", "regular", HUMAN, [AUTHOR_AI], {},
     "publish_and_queue", ["undisclosed_ai_suspected"]),
    ("a trusted author is not queued on an ordinary signal", "trusted", HUMAN, [AUTHOR_AI], {}, "publish", []),
    ("a score under the classifier's own threshold is no evidence", "new", HUMAN, [calibrated(0.95)], {},
     "publish", []),
    ("a score at the classifier's own threshold is a flag", "new", HUMAN, [calibrated(0.98)], {},
     "hold", ["undisclosed_ai_suspected"]),
    ("a trusted author is queued on a strong signal", "trusted", HUMAN, [AUTHOR_AI_STRONG], {},
     "publish_and_queue", ["undisclosed_ai_suspected"]),
    ("a consistency finding alone queues a regular author", "regular", HUMAN, [AUTHOR_HUMAN, CONSISTENCY], {},
     "publish_and_queue", ["undisclosed_ai_suspected"]),
    ("an understated AI share is queued", "regular", DRAFTING_SUBSTANTIAL, [UNDERSTATED], {},
     "publish_and_queue", ["ai_share_understated"]),
    ("a new author's substantial drafting is held", "new", DRAFTING_SUBSTANTIAL, [], {"has_ai_blocks": True},
     "hold", ["new_author_ai_assisted"]),
    ("a new author's mostly-AI post is held, for both reasons", "new", DRAFTING_MOST, [], {}, "hold",
     ["new_author_ai_assisted", "mostly_ai_content"]),
    ("a regular author's mostly-AI post is published and queued", "regular", DRAFTING_MOST, [], {},
     "publish_and_queue", ["mostly_ai_content"]),
    ("a trusted author's declared mostly-AI post is published", "trusted", DRAFTING_MOST, [], {}, "publish", []),
    ("AI research checked in one word is queued", "regular", RESEARCH_UNCHECKED, [], {}, "publish_and_queue",
     ["ai_research_unverified"]),
    ("unverified AI research in a public-interest category is held", "regular", RESEARCH_UNCHECKED, [],
     {"public_interest": True}, "hold", ["ai_research_unverified"]),
    ("verified AI research is published", "regular", RESEARCH_CHECKED, [], {"public_interest": True}, "publish", []),
    ("a failed classifier holds the post for a person", "regular", HUMAN, [BROKEN, AUTHOR_HUMAN], {}, "hold",
     ["classifier_failed"]),
    ("a failed classifier on a trusted author's post publishes and queues", "trusted", HUMAN, [BROKEN], {},
     "publish_and_queue", ["classifier_failed"]),
    ("an edit after a change request goes back to the queue", "regular", HUMAN, [AUTHOR_HUMAN],
     {"previous_decision": "request_changes"}, "publish_and_queue", ["resubmitted_after_changes"]),
    ("an edit to a rejected post is held, not published", "trusted", HUMAN, [AUTHOR_HUMAN],
     {"previous_decision": "reject"}, "hold", ["edited_after_rejection"]),
    ("no disclosure and no signal is published (the label says not disclosed)", "regular", None, [AUTHOR_HUMAN],
     {}, "publish", []),
    ("auto-reject is off by default, however high the score", "new", HUMAN,
     [result("pangram", score=0.99, passages=[("author", 0.99)])], {}, "hold", ["undisclosed_ai_suspected"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_default_policy(db, case):
    _name, standing, disclosure, results, extra, outcome, reasons = case
    data = PolicyInput(disclosure=load_stored(disclosure), standing=standing, category="general",
                       results=list(results), **extra)
    decision = policy_build(None, with_db_rules=False).decide(data)
    assert (decision.outcome, decision.reasons) == (outcome, reasons)


def test_priority_is_the_highest_matched_rule(db):
    policy = policy_build(None, with_db_rules=False)
    new_author = policy.decide(PolicyInput(disclosure=load_stored(HUMAN), standing="new", category="",
                                           results=[AUTHOR_AI]))
    regular = policy.decide(PolicyInput(disclosure=load_stored(HUMAN), standing="regular", category="",
                                        results=[AUTHOR_AI]))
    assert new_author.priority > regular.priority > 0
    assert new_author.details["matched_rules"] == ["undisclosed_ai_new"]
    assert new_author.details["signals"]["max_author_passage_score"] == 0.92
