"""Deciding: the rules that hold for a :class:`~.inputs.PolicyInput` → a :class:`Decision`; and the policy in
force (``MODERATION["POLICY"]`` or the default, merged with the admin's :class:`~moderation.models.PolicyRule`
rows by name).
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from ..conf import app_settings
from ..models import EvaluationOutcome, PolicyRule, RejectionTemplate
from .defaults import DEFAULT_RULES, DEFAULT_VERSION
from .evidence import max_passage_score, result_findings
from .inputs import PolicyInput
from .rules import SEVERITY, PolicyInvalid, Rule, policy_spec_validate, rule_validate

logger = logging.getLogger(__name__)


@dataclass
class Decision:
    outcome: str
    reasons: list[str] = field(default_factory=list)
    priority: int = 0
    details: dict[str, Any] = field(default_factory=dict)


#: the priority of a post an automatic rejection would have removed, held instead (its rule's priority is
#: usually 0: nothing waited for a person)
WITHHELD_PRIORITY = 45


def mark_edited_by_other(*, decision: Decision, revision) -> Decision:
    """Whenever a version someone other than the author saved is queued, its reasons say so (last: after every
    other step that may queue it, such as the recorded-assistance finding), so that the moderator reads the
    other reasons as about someone else's text."""
    if revision.editor_external_id and decision.outcome != EvaluationOutcome.PUBLISH \
            and "edited_by_other" not in decision.reasons:
        decision.reasons = [*decision.reasons, "edited_by_other"]
    return decision


#: How :meth:`RulePolicy.decide` reads rules; part of every policy's version, so that a change here re-decides
#: what ``reevaluate`` sends again (2: someone else's edit of an approved post, round 20).
ENGINE_VERSION = 2


class RulePolicy:
    """An ordered set of validated rules; ``version`` changes whenever the rules, or how they are read, do."""

    def __init__(self, rules: list[Rule], *, base_version: str = DEFAULT_VERSION):
        self.rules = rules
        hashed = {"engine": ENGINE_VERSION, "rules": [r.model_dump(mode="json") for r in rules]}
        digest = hashlib.sha256(json.dumps(hashed, sort_keys=True).encode()).hexdigest()[:10]
        self.version = f"{base_version[:30]}+{digest}"

    def passage_score_bars(self) -> list[float]:
        """The passage scores the enabled rules compare with (``passage_score_at_least``)."""
        return [bar for rule in self.rules if rule.enabled for bar in rule.when.passage_score_bars()]

    def decide(self, data: PolicyInput) -> Decision:
        outcome, reasons, priority, matched, template = "publish", [], 0, [], None
        rejecting_reasons, approved = [], []
        for rule in self.rules:
            if not rule.enabled or not rule.when.holds(data):
                continue
            seen = rule.name in data.approved_rules  # the person who approved the post saw this rule match
            if seen and data.approved_declaration and not rule.when.reads_classifiers():
                approved.append(rule.name)  # ... about the declaration they approved, which the edit keeps
                continue
            matched.append(rule.name)
            withheld = rule.outcome == "auto_reject" and data.edited_by_other
            if withheld:
                # the author did not write this version: no automatic rejection (and statement, notice and spent
                # appeal) falls on them for it; a person decides, as for any held post, at the rule's urgency or
                # more, and the reason is not "rejected automatically" (nothing was): mark_edited_by_other's is
                if rule.reason not in rejecting_reasons:
                    rejecting_reasons.append(rule.reason)
            rule_outcome = "hold" if withheld else rule.outcome
            if seen and rule_outcome == "hold":
                rule_outcome = "publish_and_queue"  # they approved the post with it: an edit does not hide it again
            if SEVERITY[rule_outcome] > SEVERITY[outcome]:
                outcome = rule_outcome
            if rule_outcome != "publish" and not withheld and rule.reason not in reasons:
                reasons.append(rule.reason)
            priority = max(priority, max(rule.priority, WITHHELD_PRIORITY) if withheld else rule.priority)
            if rule_outcome == "auto_reject" and template is None:
                template = rule.template
        details: dict[str, Any] = {"matched_rules": matched, "signals": _signals(data)}
        if rejecting_reasons:
            details["auto_reject_withheld"] = {"because": "edited_by_other", "reasons": rejecting_reasons}
        if approved:
            details["approved_declaration"] = approved
        if outcome == "auto_reject":
            details.update(_auto_reject_message(template))
        return Decision(EvaluationOutcome(outcome).value, reasons, priority, details)


def _signals(data: PolicyInput) -> dict[str, Any]:
    """What the moderator sees next to the reasons: the numbers the rules looked at."""
    return {
        "standing": data.standing, "public_interest": data.public_interest,
        "max_author_passage_score": max_passage_score(data.results, ["author"]),
        "scores": {r.classifier: r.score for r in data.results if r.score is not None},
        "errors": sorted(r.classifier for r in data.results if r.status == "error"),
        "findings": sorted(set().union(*(result_findings(r) for r in data.results))) if data.results else [],
    }


def _auto_reject_message(code: str | None) -> dict[str, Any]:
    """The rule's template and its message; no message when the template is gone (retired after the rule was
    saved, or named by the setting): the author is then told the default, in their own language."""
    template = RejectionTemplate.objects.filter(code=code, is_active=True).first() if code else None
    return {"template": code or "", "message": template.message if template else ""}


def _merge(base: list[Rule], overrides: list[tuple[Rule | None, str]]) -> list[Rule]:
    """Apply (rule or None-to-remove, name) overrides onto ``base``, keeping base order then new rules."""
    by_name = {r.name: r for r in base}
    order = [r.name for r in base]
    for rule, name in overrides:
        if rule is None:
            by_name.pop(name, None)
            continue
        if name not in by_name:
            order.append(name)
        by_name[name] = rule
    return [by_name[n] for n in order if n in by_name]


def default_rules() -> list[Rule]:
    return [Rule.model_validate(r) for r in DEFAULT_RULES]


def _db_overrides() -> list[tuple[Rule | None, str]]:
    overrides = []
    for row in PolicyRule.objects.order_by("order", "id"):
        if not row.is_active:
            overrides.append((None, row.name))
            continue
        try:
            overrides.append((rule_validate(row.rule, name=row.name), row.name))
        except PolicyInvalid as exc:  # saved before validation existed, or written around the model
            logger.error("policy rule %r is invalid and is skipped: %s", row.name, exc)
    return overrides


def policy_build(config: Any = None, *, with_db_rules: bool = True) -> RulePolicy:
    """A policy from a setting-shaped ``config`` (None: the shipped default) plus the admin's rules."""
    if config is None:
        base, version = default_rules(), DEFAULT_VERSION
    else:
        spec = policy_spec_validate(config)
        base = _merge(default_rules(), [(r, r.name) for r in spec.rules]) if spec.extend_default else spec.rules
        version = spec.version
    if with_db_rules:
        base = _merge(base, _db_overrides())
    return RulePolicy(base, base_version=version)


def current_policy() -> RulePolicy:
    """The policy in force now: ``MODERATION["POLICY"]`` (or the default) merged with the admin's rules."""
    return policy_build(app_settings.POLICY)
