"""The policy: disclosure + author standing + category + classifier results → a decision.

A decision is an outcome (``publish``, ``publish_and_queue``, ``hold``, opt-in ``auto_reject``), reason
codes and a priority (higher = more urgent). Classifiers never punish anyone: at most they put a post in
front of a person; ``auto_reject`` exists only as a rule an operator turns on.

Rules are data, validated with pydantic (:class:`Rule`), so that a forum can change its policy as AI use
changes without changing code. They come from two places, merged by name:

1. ``MODERATION["POLICY"]`` (or, when unset, :data:`DEFAULT_RULES`, modelled on what large forums do);
2. admin-editable :class:`~moderation.models.PolicyRule` rows: a row replaces the rule of the same name,
   an inactive row removes it, other rows are added. Rows are validated when saved (``PolicyRule.clean``),
   so a bad rule is refused by the admin, never discovered at evaluation time.

Every rule whose conditions all hold contributes: the decision's outcome is the most severe one
(publish < publish_and_queue < hold < auto_reject), its reasons are all matched rules' reasons, and its
priority is the highest matched priority. No rule matched means ``publish``. See docs/moderation.md.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from disclosure.grades import GRADE_ORDER, Grade, grade_for
from disclosure.schema import AssistanceKind, Disclosure, Extent, load_stored

from .models import ClassifierResult, EvaluationOutcome, Revision, Submission

logger = logging.getLogger(__name__)

Standing = Literal["new", "regular", "trusted"]
Outcome = Literal["publish", "publish_and_queue", "hold", "auto_reject"]
PassageKind = Literal["author", "declared_ai", "quote", "code", "collapsible"]
SEVERITY = {"publish": 0, "publish_and_queue": 1, "hold": 2, "auto_reject": 3}
#: Findings a consistency classifier may report in ``details`` (any other string is accepted too).
KNOWN_FINDINGS = ("undisclosed_ai_passages", "declared_share_understated", "human_only_contradicted")


# --- Input ----------------------------------------------------------------------------------------

@dataclass
class PolicyInput:
    """Everything a rule may look at, gathered once per evaluation."""

    disclosure: Disclosure | None
    standing: str
    category: str
    results: list[ClassifierResult]
    has_ai_blocks: bool = False
    public_interest: bool = False
    #: The last moderator decision on this submission (``request_changes``, ``reject``…), if any.
    previous_decision: str = ""

    @property
    def grade(self) -> Grade:
        """The EU AI Act involvement grade the declaration implies (disclosure/grades.py)."""
        return grade_for(self.disclosure, has_ai_blocks=self.has_ai_blocks)

    @property
    def exempt_by_review(self) -> bool:
        """A named person reviewed the AI text and holds editorial responsibility (Art. 50(4))."""
        review = self.disclosure.human_review if self.disclosure is not None else None
        return bool(review and review.reviewed and review.responsible.strip())

    @classmethod
    def build(cls, *, submission: Submission, revision: Revision, results: list[ClassifierResult]) -> PolicyInput:
        from .selectors import revision_has_ai_blocks

        # The decision this revision answers: one taken before it was written. A decision taken later (on this
        # very revision) is not "previous" when the revision is replayed (policy_dryrun) or re-scored.
        last = submission.review_items.filter(status="decided", decided_at__lte=revision.created_at) \
            .order_by("-decided_at", "-id").values_list("decision_action", flat=True).first()
        return cls(disclosure=load_stored(revision.disclosure), standing=submission.author_standing,
                   category=submission.category, results=list(results),
                   has_ai_blocks=revision_has_ai_blocks(revision),
                   public_interest=_is_public_interest(submission), previous_decision=last or "")


def _is_public_interest(submission: Submission) -> bool:
    from .conf import app_settings
    from .models import ApiClient

    if not submission.category:
        return False
    client = submission.client
    if submission.category in (client.public_interest_categories or []):
        return True
    return client.name == ApiClient.LOCAL_NAME and submission.category in \
        app_settings.adapter.public_interest_categories()


def result_findings(result: ClassifierResult) -> set[str]:
    """Finding codes a classifier reported in ``details["findings"]``: a list of codes, a list of
    ``{"code": …}`` objects, or a dict keyed by code (truthy values only)."""
    findings = (result.details or {}).get("findings")
    codes: set[str] = set()
    if isinstance(findings, dict):
        codes |= {str(k) for k, v in findings.items() if v}
    elif isinstance(findings, list):
        for entry in findings:
            if isinstance(entry, str):
                codes.add(entry)
            elif isinstance(entry, dict):
                code = entry.get("code") or entry.get("type") or entry.get("kind")
                if code:
                    codes.add(str(code))
    for code in KNOWN_FINDINGS:  # also accept the codes as top-level truthy keys
        if (result.details or {}).get(code):
            codes.add(code)
    return codes


def max_passage_score(results: list[ClassifierResult], kinds: list[str], classifier: str | None = None) -> float | None:
    """The highest scored probability among ``ok`` passages of the given kinds (None if nothing scored)."""
    best = None
    for result in results:
        if classifier and result.classifier != classifier:
            continue
        if result.status == "error":
            continue
        for passage in result.passage_scores or []:
            probability = passage.get("probability")
            if probability is None or passage.get("status", "ok") != "ok":
                continue
            if passage.get("kind", "author") not in kinds:
                continue
            best = probability if best is None else max(best, probability)
    return best


#: The flag threshold of a classifier that reports none in ``details["threshold"]``.
DEFAULT_FLAG_THRESHOLD = 0.8


def passage_flagged(results: list[ClassifierResult], kinds: list[str], classifier: str | None = None) -> bool:
    """Whether some ``ok`` passage of the given kinds reaches its own classifier's operating threshold.

    Each classifier reports the threshold it was calibrated for (the built-in detector: at most 1% of human
    texts flagged); a fixed number in a rule would flag more people than the classifier's author intended.
    """
    for result in results:
        if (classifier and result.classifier != classifier) or result.status != "ok":
            continue
        threshold = (result.details or {}).get("threshold", DEFAULT_FLAG_THRESHOLD)
        for passage in result.passage_scores or []:
            probability = passage.get("probability")
            if probability is not None and passage.get("status", "ok") == "ok" and \
                    passage.get("kind", "author") in kinds and probability >= threshold:
                return True
    return False


# --- Rules as data --------------------------------------------------------------------------------

class Condition(BaseModel):
    """Every field that is set must hold (AND); ``any_of`` holds when one of its conditions does (OR)."""

    model_config = ConfigDict(extra="forbid")

    # the disclosure
    disclosed: bool | None = Field(None, description="The post carries a disclosure at all.")
    human_only: bool | None = None
    kinds_any: list[AssistanceKind] | None = Field(None, min_length=1,
                                                   description="Any of these kinds of AI help declared.")
    extents_any: list[Extent] | None = Field(None, min_length=1,
                                             description="Any declared help has one of these extents "
                                                         "(restricted to kinds_any when both are set).")
    ai_share_at_least: int | None = Field(None, ge=0, le=100)
    ai_share_below: int | None = Field(None, ge=0, le=101)
    verification_present: bool | None = None
    verification_shorter_than: int | None = Field(None, ge=1, le=5000,
                                                  description="How-I-checked text shorter than this.")
    has_ai_blocks: bool | None = None
    grade_in: list[Literal[(*GRADE_ORDER, "not_disclosed")]] | None = Field(  # type: ignore[valid-type]
        None, min_length=1, description="The EU AI Act involvement grade the declaration implies is one of these.")
    exempt_by_review: bool | None = Field(None, description="A named person reviewed the AI text (Art. 50(4)).")
    # the author and the place
    standing_in: list[Standing] | None = Field(None, min_length=1)
    category_in: list[str] | None = Field(None, min_length=1)
    public_interest: bool | None = None
    previous_decision_in: list[Literal["approve", "reject", "request_changes", "hide"]] | None = \
        Field(None, min_length=1, description="The last moderator decision on this post.")
    # the classifiers
    classifier: str | None = Field(None, description="Restrict the score conditions to this classifier.")
    score_at_least: float | None = Field(None, ge=0, le=1, description="A post-level score at or over this.")
    passage_score_at_least: float | None = Field(None, ge=0, le=1,
                                                 description="Some passage's probability at or over this.")
    passage_flagged: bool | None = Field(None, description="Some passage reaches its classifier's own flag "
                                                           "threshold (details.threshold, else 0.8).")
    passage_kinds: list[PassageKind] = Field(default_factory=lambda: ["author"], min_length=1,
                                             description="Which passages passage_score_at_least and "
                                                         "passage_flagged look at.")
    classifier_error: bool | None = Field(None, description="Some classifier (or the named one) failed.")
    findings_any: list[str] | None = Field(None, min_length=1,
                                           description="A consistency classifier reported any of these.")
    any_of: list[Condition] | None = Field(None, min_length=1)
    always: bool | None = Field(None, description="Set to true for a rule that matches every post.")

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        set_fields = {f for f in self.model_fields_set if getattr(self, f) is not None} - {"passage_kinds",
                                                                                         "classifier"}
        if not set_fields:
            raise ValueError("A rule needs at least one condition (use {\"always\": true} to match every post).")
        if self.always is False:
            raise ValueError("“always” can only be true.")
        return self

    def holds(self, data: PolicyInput) -> bool:  # noqa: C901 - one flat check per field reads best
        d = data.disclosure
        if self.disclosed is not None and (d is not None) != self.disclosed:
            return False
        if self.human_only is not None and bool(d and d.human_only) != self.human_only:
            return False
        assistance = d.assistance if d is not None and not d.human_only else []
        if self.kinds_any is not None and not any(a.kind in self.kinds_any for a in assistance):
            return False
        if self.extents_any is not None:
            relevant = [a for a in assistance if self.kinds_any is None or a.kind in self.kinds_any]
            if not any(a.extent in self.extents_any for a in relevant):
                return False
        share = d.ai_share_percent if d is not None else 0
        if self.ai_share_at_least is not None and share < self.ai_share_at_least:
            return False
        if self.ai_share_below is not None and share >= self.ai_share_below:
            return False
        verification = (d.verification if d is not None else "").strip()
        if self.verification_present is not None and bool(verification) != self.verification_present:
            return False
        if self.verification_shorter_than is not None and len(verification) >= self.verification_shorter_than:
            return False
        if self.has_ai_blocks is not None and data.has_ai_blocks != self.has_ai_blocks:
            return False
        if self.grade_in is not None and data.grade.grade not in self.grade_in:
            return False
        if self.exempt_by_review is not None and data.exempt_by_review != self.exempt_by_review:
            return False
        if self.standing_in is not None and data.standing not in self.standing_in:
            return False
        if self.category_in is not None and data.category not in self.category_in:
            return False
        if self.public_interest is not None and data.public_interest != self.public_interest:
            return False
        if self.previous_decision_in is not None and data.previous_decision not in self.previous_decision_in:
            return False
        results = [r for r in data.results if not self.classifier or r.classifier == self.classifier]
        if self.classifier_error is not None and any(r.status == "error" for r in results) != self.classifier_error:
            return False
        if self.score_at_least is not None and not any(
                r.status == "ok" and r.score is not None and r.score >= self.score_at_least for r in results):
            return False
        if self.passage_score_at_least is not None:
            best = max_passage_score(results, list(self.passage_kinds))
            if best is None or best < self.passage_score_at_least:
                return False
        if self.passage_flagged is not None and \
                passage_flagged(results, list(self.passage_kinds)) != self.passage_flagged:
            return False
        if self.findings_any is not None:
            found = set().union(*(result_findings(r) for r in results if r.status != "error")) if results else set()
            if not found & set(self.findings_any):
                return False
        if self.any_of is not None and not any(c.holds(data) for c in self.any_of):
            return False
        return True


class Rule(BaseModel):
    """When ``when`` holds, the post gets ``outcome`` (at least), ``reason`` and ``priority`` (at least)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=100)
    description: str = Field("", max_length=500)
    enabled: bool = True
    when: Condition
    outcome: Outcome
    reason: str = Field(pattern=r"^[a-z][a-z0-9_]{1,59}$")
    priority: int = Field(0, ge=0, le=1000)
    #: The RejectionTemplate code whose message the author gets (required for ``auto_reject``).
    template: str | None = Field(None, max_length=60)

    @model_validator(mode="after")
    def _auto_reject_needs_template(self) -> Rule:
        if self.outcome == "auto_reject" and not self.template:
            raise ValueError("An auto_reject rule needs a “template”: the rejection template whose message "
                             "the author receives.")
        return self


class PolicySpec(BaseModel):
    """``MODERATION["POLICY"]``: ``{"version": …, "rules": […], "extend_default": false}``."""

    model_config = ConfigDict(extra="forbid")

    version: str = Field("custom", max_length=30)
    rules: list[Rule]
    #: Merge these rules (by name) onto the shipped default instead of replacing it.
    extend_default: bool = False

    @model_validator(mode="after")
    def _names(self) -> PolicySpec:
        names = [r.name for r in self.rules]
        if any(not n for n in names):
            raise ValueError("Every rule in MODERATION['POLICY'] needs a “name”.")
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"Rule names must be unique; repeated: {', '.join(sorted(duplicates))}.")
        return self


class PolicyInvalid(ValueError):
    """A rule or policy does not validate; ``errors`` are ``{"field", "message"}`` a person can fix."""

    def __init__(self, errors: list[dict[str, str]]):
        super().__init__("; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors))
        self.errors = errors


def _errors(exc: ValidationError) -> list[dict[str, str]]:
    out = []
    for err in exc.errors(include_url=False):
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "Unknown field; see docs/moderation.md for the rule format."
        out.append({"field": ".".join(str(p) for p in err["loc"]), "message": message})
    return out


def rule_validate(data: Any, *, name: str = "") -> Rule:
    """Validate one rule (as stored in a PolicyRule row). Raises :class:`PolicyInvalid`."""
    if not isinstance(data, dict):
        raise PolicyInvalid([{"field": "", "message": "A rule is a JSON object with “when”, “outcome” and "
                                                      "“reason”."}])
    try:
        rule = Rule.model_validate({**data, "name": name or data.get("name", "")})
    except ValidationError as exc:
        raise PolicyInvalid(_errors(exc)) from None
    return rule


def policy_spec_validate(data: Any) -> PolicySpec:
    """Validate a whole policy (the setting, or a ``policy_dryrun --policy`` file). Raises PolicyInvalid."""
    if isinstance(data, list):
        data = {"rules": data}
    try:
        return PolicySpec.model_validate(data)
    except ValidationError as exc:
        raise PolicyInvalid(_errors(exc)) from None


#: What each reason code means, for people (the queue shows these; the code stays in data and the API).
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


# --- The shipped default --------------------------------------------------------------------------

_NOT_TRUSTED = ["new", "regular"]
DEFAULT_VERSION = "default-1"
#: Modelled on large forums: new authors' AI-heavy posts wait for a person; suspected undisclosed AI is
#: queued (held for new authors, published-and-queued for regular ones); trusted authors are published and
#: queued only on strong signals; a failed classifier means a person looks; nothing is rejected without a
#: person unless the operator enables ``auto_reject_high_score`` (LessWrong rejects above Pangram 0.4).
DEFAULT_RULES: list[dict[str, Any]] = [
    {"name": "classifier_failed", "description": "A classifier failed: a person decides instead.",
     "when": {"classifier_error": True, "standing_in": _NOT_TRUSTED},
     "outcome": "hold", "reason": "classifier_failed", "priority": 30},
    {"name": "classifier_failed_trusted", "description": "A classifier failed on a trusted author's post.",
     "when": {"classifier_error": True, "standing_in": ["trusted"]},
     "outcome": "publish_and_queue", "reason": "classifier_failed", "priority": 20},
    {"name": "undisclosed_ai_new", "description": "Undeclared text reads as AI-written; new author.",
     "when": {"standing_in": ["new"], "any_of": [{"passage_flagged": True},
                                                  {"findings_any": ["undisclosed_ai_passages",
                                                                    "human_only_contradicted"]}]},
     "outcome": "hold", "reason": "undisclosed_ai_suspected", "priority": 70},
    {"name": "undisclosed_ai_regular", "description": "Undeclared text reads as AI-written; regular author.",
     "when": {"standing_in": ["regular"], "any_of": [{"passage_flagged": True},
                                                      {"findings_any": ["undisclosed_ai_passages",
                                                                        "human_only_contradicted"]}]},
     "outcome": "publish_and_queue", "reason": "undisclosed_ai_suspected", "priority": 50},
    {"name": "undisclosed_ai_trusted", "description": "Trusted authors are queued only on a strong signal.",
     "when": {"standing_in": ["trusted"], "passage_flagged": True, "passage_score_at_least": 0.99},
     "outcome": "publish_and_queue", "reason": "undisclosed_ai_suspected", "priority": 40},
    {"name": "ai_share_understated", "description": "The declared AI share looks lower than the text shows.",
     "when": {"standing_in": _NOT_TRUSTED, "findings_any": ["declared_share_understated"]},
     "outcome": "publish_and_queue", "reason": "ai_share_understated", "priority": 25},
    {"name": "new_author_ai_assisted", "description": "A new author's post with substantial AI text.",
     "when": {"standing_in": ["new"], "human_only": False,
              "any_of": [{"kinds_any": ["drafting"], "extents_any": ["substantial", "most"]},
                         {"ai_share_at_least": 30}, {"has_ai_blocks": True}]},
     "outcome": "hold", "reason": "new_author_ai_assisted", "priority": 30},
    {"name": "mostly_ai_new", "description": "Mostly AI-written, from a new author.",
     "when": {"standing_in": ["new"], "any_of": [{"kinds_any": ["drafting"], "extents_any": ["most"]},
                                                  {"ai_share_at_least": 50}]},
     "outcome": "hold", "reason": "mostly_ai_content", "priority": 40},
    {"name": "mostly_ai_regular", "description": "Mostly AI-written, from a regular author.",
     "when": {"standing_in": ["regular"], "any_of": [{"kinds_any": ["drafting"], "extents_any": ["most"]},
                                                      {"ai_share_at_least": 50}]},
     "outcome": "publish_and_queue", "reason": "mostly_ai_content", "priority": 20},
    {"name": "ai_research_unverified", "description": "AI research or analysis, checked in a few words at most.",
     "when": {"standing_in": _NOT_TRUSTED, "kinds_any": ["research", "code_analysis"],
              "verification_shorter_than": 40},
     "outcome": "publish_and_queue", "reason": "ai_research_unverified", "priority": 15},
    {"name": "ai_research_unverified_public_interest",
     "description": "Unverified AI research in a public-interest category waits for a person.",
     "when": {"standing_in": _NOT_TRUSTED, "public_interest": True, "kinds_any": ["research", "code_analysis"],
              "verification_shorter_than": 40},
     "outcome": "hold", "reason": "ai_research_unverified", "priority": 35},
    {"name": "art50_label_missing",
     "description": "EU AI Act Art. 50: in a public-interest category, text that reads as AI-written would be "
                    "published without the label its content needs, and no person took editorial responsibility.",
     "when": {"public_interest": True, "exempt_by_review": False,
              "grade_in": ["human_only", "ai_supported", "ai_edited_minor", "not_disclosed"],
              "any_of": [{"passage_flagged": True},
                         {"findings_any": ["undisclosed_ai_passages", "human_only_contradicted",
                                           "ai_passages_unmarked"]}]},
     "outcome": "hold", "reason": "art50_label_missing", "priority": 75},
    {"name": "resubmitted_after_changes", "description": "The author edited a post a moderator sent back.",
     "when": {"previous_decision_in": ["request_changes"]},
     "outcome": "publish_and_queue", "reason": "resubmitted_after_changes", "priority": 45},
    {"name": "edited_after_rejection", "description": "An edit to a rejected or hidden post waits for a person.",
     "when": {"previous_decision_in": ["reject", "hide"]},
     "outcome": "hold", "reason": "edited_after_rejection", "priority": 45},
    {"name": "auto_reject_high_score", "enabled": False,
     "description": "Off by default. LessWrong rejects posts above a Pangram score of 0.4 automatically.",
     "when": {"classifier": "pangram", "score_at_least": 0.4, "standing_in": _NOT_TRUSTED},
     "outcome": "auto_reject", "reason": "auto_rejected_ai_score", "priority": 0, "template": "low-effort-ai"},
]


# --- The engine -----------------------------------------------------------------------------------

@dataclass
class Decision:
    outcome: str
    reasons: list[str] = field(default_factory=list)
    priority: int = 0
    details: dict[str, Any] = field(default_factory=dict)


class RulePolicy:
    """An ordered set of validated rules; ``version`` changes whenever the rules do."""

    def __init__(self, rules: list[Rule], *, base_version: str = DEFAULT_VERSION):
        self.rules = rules
        digest = hashlib.sha256(json.dumps([r.model_dump(mode="json") for r in rules], sort_keys=True)
                                .encode()).hexdigest()[:10]
        self.version = f"{base_version[:30]}+{digest}"

    def decide(self, data: PolicyInput) -> Decision:
        outcome, reasons, priority, matched, template = "publish", [], 0, [], None
        for rule in self.rules:
            if not rule.enabled or not rule.when.holds(data):
                continue
            matched.append(rule.name)
            if SEVERITY[rule.outcome] > SEVERITY[outcome]:
                outcome = rule.outcome
            if rule.outcome != "publish" and rule.reason not in reasons:
                reasons.append(rule.reason)
            priority = max(priority, rule.priority)
            if rule.outcome == "auto_reject" and template is None:
                template = rule.template
        details: dict[str, Any] = {"matched_rules": matched, "signals": _signals(data)}
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
    from .models import RejectionTemplate

    template = RejectionTemplate.objects.filter(code=code, is_active=True).first() if code else None
    message = template.message if template else "Your post was rejected automatically."
    return {"template": code or "", "message": message}


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
    from .models import PolicyRule

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
    from .conf import app_settings

    return policy_build(app_settings.POLICY)
