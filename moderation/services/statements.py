"""Statements of reasons: what every decision tells the author, in the shape of the EU Digital Services Act,
Art. 17(3): the decision and its scope, the facts and circumstances relied on, whether automated means were
used in detecting the content and in taking the decision, the ground (here: the forum's AI-disclosure
policy, the rule or template applied), and the redress open to the author.

A statement is written in the same transaction as the decision (:func:`statement_record`: a moderator's or
API client's decision in ``review_item_decide``, the policy's automatic rejection in
``services/auto_reject.py``) and never edited afterwards. It is shown to the author on the post page, served
at ``GET /api/v1/submissions/{id}/statement-of-reasons`` and exported per period as JSON Lines
(``manage.py export_statements``, or the staff page ``/moderation/statements.jsonl``) for transparency
reports (Art. 15 and 24).
"""
from __future__ import annotations

from django.utils.translation import gettext_noop

from disclosure.schema import load_stored

from ..models import (
    ClassifierResult,
    DecisionAction,
    Evaluation,
    ReaderReport,
    ResultStatus,
    ReviewItem,
    ReviewItemKind,
    StatementOfReasons,
    Submission,
)
from ..policy.appeals import APPEALABLE_DECISIONS

#: What each decision does to the post, in the DSA's terms (Art. 17(1)(a)-(d)).
RESTRICTIONS = {
    DecisionAction.APPROVE: "none",
    DecisionAction.REJECT: "removal",
    DecisionAction.REQUEST_CHANGES: "visibility_restricted_until_corrected",
    DecisionAction.HIDE: "visibility_restricted",
}
EXCERPT_CHARS = 200
#: reasons a person or an edit put in the queue, not a detection by automated means
NOT_DETECTED_REASONS = ("reader_report", "appeal", "author_revised", "edited_by_other")


def _facts(*, submission: Submission, item: ReviewItem | None, evaluation: Evaluation | None) -> dict:
    """Which passages, which classifier findings, which disclosure fields, how many reader reports."""
    from ..policy.evidence import result_findings
    from ..selectors.passage_report import revision_passage_report

    revision = item.revision if item is not None else (evaluation.revision if evaluation else
                                                        submission.current_revision)
    report = revision_passage_report(revision)
    passages = [{"start": s.start, "end": s.end, "probability": s.probability,
                 "excerpt": s.text.strip()[:EXCERPT_CHARS]} for s in report.segments if s.flagged]
    findings = []
    for result in report.results:
        if result["status"] == ResultStatus.SKIPPED:
            continue
        findings.append({"classifier": result["classifier"], "version": result["version"],
                         "status": result["status"], "score": result["score"],
                         # flagged by the post's score as a whole, with no single passage over the threshold
                         "flagged_as_whole": result["post_flagged"]})
    codes = sorted(set().union(*(result_findings(r) for r in ClassifierResult.objects.filter(revision=revision)
                                 .exclude(status=ResultStatus.ERROR))))
    disclosure = load_stored(revision.disclosure)
    if disclosure is None:
        fields = {"disclosed": False}
    else:
        fields = {"disclosed": True, "human_only": disclosure.human_only,
                  "assistance": [{"kind": a.kind, "extent": a.extent} for a in disclosure.assistance],
                  "tools": list(disclosure.tools), "ai_share_percent": disclosure.ai_share_percent}
    reasons = list(item.reasons if item is not None else (evaluation.reasons if evaluation else []))
    return {"revision": revision.number, "reasons": reasons, "flagged_passages": passages,
            # the version decided on was saved by someone other than the author (a moderator's edit)
            "edited_by_other": bool(revision.editor_external_id),
            "classifier_results": findings, "classifier_findings": codes, "disclosure_fields": fields,
            # the reports this decision answers: the item's, whichever revision they were filed on
            "reader_reports": (ReaderReport.objects.filter(item=item) if item is not None else
                               ReaderReport.objects.filter(submission=submission, revision=revision)).count()}


def _redress(submission: Submission, decision: str) -> dict:
    from ..conf import app_settings

    appealed = submission.review_items.filter(kind=ReviewItemKind.APPEAL).exists()
    appealable = decision in APPEALABLE_DECISIONS and not appealed
    if appealable:
        how = ("Appeal once, with a message, on the post's page or through "
               f"POST /api/v1/submissions/{submission.public_id}/appeal; a moderator reviews it.")
    elif decision in APPEALABLE_DECISIONS:
        how = "Each post can be appealed once, and this one was appealed already."
    elif decision == DecisionAction.REQUEST_CHANGES:
        how = "No appeal: correct the disclosure and post again; a moderator looks at the new version."
    else:
        how = "No appeal: this decision does not restrict the post."
    return {
        "internal_complaint": {
            "available": appealable,
            "how": how,
            "url": app_settings.adapter.submission_url(submission) if submission.client.name == "local" else None,
        },
        # Stored in English (the statement is never edited); the page translates them when it shows them.
        "out_of_court_dispute_settlement": gettext_noop(
            "A certified out-of-court dispute settlement body (DSA Art. 21)."),
        "judicial_redress": gettext_noop("The courts of the author's Member State."),
    }


def statement_record(*, submission: Submission, decision: str, item: ReviewItem | None = None,
                     evaluation: Evaluation | None = None, automated_decision: bool = False, reason: str = "",
                     message: str = "", label: str | None = None) -> StatementOfReasons:
    """Write the statement for a decision being taken (call inside the decision's transaction)."""
    facts = _facts(submission=submission, item=item, evaluation=evaluation)
    # Detection by automated means: a classifier found something, or a policy rule put the post here. Classifiers
    # that ran and found nothing (a post only readers reported) detected nothing.
    automated_detection = (bool(facts["flagged_passages"]) or bool(facts["classifier_findings"])
                           or any(f["flagged_as_whole"] for f in facts["classifier_results"])
                           or any(r for r in facts["reasons"] if r not in NOT_DETECTED_REASONS))
    matched = list((evaluation.details or {}).get("matched_rules", [])) if evaluation is not None else []
    policy_url = submission.client.policy_url or ""
    data = {
        "decision": {"action": decision, "restriction": RESTRICTIONS.get(decision, "none"),
                     "label": label or None, "appeal": bool(item is not None and item.kind == ReviewItemKind.APPEAL)},
        "facts_and_circumstances": facts,
        "automated_means": {"detection": automated_detection, "decision": automated_decision},
        "ground": {"type": "contractual", "policy": "AI-assistance disclosure policy", "policy_url": policy_url or None,
                   "rule": reason or None, "policy_rules": matched, "explanation": message},
        "redress": _redress(submission, decision),
    }
    return StatementOfReasons.objects.create(submission=submission, item=item, evaluation=evaluation,
                                             decision=decision, automated_detection=automated_detection,
                                             automated_decision=automated_decision, data=data)
