"""The policy: disclosure + author standing + category + classifier results → a decision.

A decision is an outcome (``publish``, ``publish_and_queue``, ``hold``, opt-in ``auto_reject``), reason
codes and a priority (higher = more urgent). Classifiers never punish anyone: at most they put a post in
front of a person.

NOTE: this is the interface and a first default; the rule engine (rules as validated data) replaces
``DefaultPolicy.decide`` in the moderation-queue issue.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from disclosure.schema import Disclosure, load_stored

from .models import ClassifierResult, EvaluationOutcome, Revision, Submission


@dataclass
class PolicyInput:
    disclosure: Disclosure | None
    standing: str
    category: str
    results: list[ClassifierResult]
    has_ai_blocks: bool = False
    public_interest: bool = False

    @classmethod
    def build(cls, *, submission: Submission, revision: Revision, results: list[ClassifierResult]) -> PolicyInput:
        from disclosure.blocks import parse_body

        return cls(disclosure=load_stored(revision.disclosure), standing=submission.author_standing,
                   category=submission.category, results=results,
                   has_ai_blocks=parse_body(revision.body, revision.format).has_ai_blocks)


@dataclass
class Decision:
    outcome: str
    reasons: list[str] = field(default_factory=list)
    priority: int = 0
    details: dict[str, Any] = field(default_factory=dict)


class DefaultPolicy:
    version = "default-0"

    def decide(self, data: PolicyInput) -> Decision:
        reasons, priority = [], 0
        if any(r.status == "error" for r in data.results):
            reasons.append("classifier_failed")
            priority = max(priority, 20)
        if reasons:
            return Decision(EvaluationOutcome.HOLD, reasons, priority)
        return Decision(EvaluationOutcome.PUBLISH)


def current_policy() -> DefaultPolicy:
    return DefaultPolicy()
