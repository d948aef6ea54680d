"""Rules as pure data: pydantic models a forum edits as JSON (the setting, or admin rows), and their validation.

Nothing here touches the database, so ``moderation.models`` validates :class:`~moderation.models.PolicyRule`
rows with it. See docs/moderation.md for the format.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from disclosure.grades import GRADE_ORDER
from disclosure.schema import AssistanceKind, Extent

from .evidence import FLAG_THRESHOLD, max_passage_score, passage_flagged, result_findings

if TYPE_CHECKING:
    from .inputs import PolicyInput

Standing = Literal["new", "regular", "trusted"]
Outcome = Literal["publish", "publish_and_queue", "hold", "auto_reject"]
PassageKind = Literal["author", "declared_ai", "quote", "code", "collapsible"]
#: How severe each outcome is: a decision takes the most severe outcome of the rules that matched.
SEVERITY = {"publish": 0, "publish_and_queue": 1, "hold": 2, "auto_reject": 3}


#: the conditions on classifier results (``classifier`` only narrows them, and ``passage_kinds`` has a default)
_CLASSIFIER_CONDITIONS = ("score_at_least", "passage_score_at_least", "passage_flagged", "classifier_error",
                          "findings_any")


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
    edited_by_other: bool | None = Field(None, description="This version was saved by someone other than the "
                                                           "author (a moderator's edit).")
    author_answered: bool | None = Field(None, description="The author saved a version of their own after the "
                                                           "last moderator decision, before this one.")
    # the classifiers
    classifier: str | None = Field(None, description="Restrict the score conditions to this classifier.")
    score_at_least: float | None = Field(None, ge=0, le=1, description="A post-level score at or over this.")
    passage_score_at_least: float | None = Field(None, ge=0, le=1,
                                                 description="Some passage's probability at or over this.")
    passage_flagged: bool | None = Field(None, description="Some passage reaches its classifier's own flag "
                                                           f"threshold (details.threshold, else {FLAG_THRESHOLD}).")
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

    def reads_classifiers(self) -> bool:
        """Whether this condition (or one of its ``any_of`` branches) looks at what the classifiers found, not
        only at the declaration, the author, the place and earlier decisions."""
        return any(getattr(self, name) is not None for name in _CLASSIFIER_CONDITIONS) \
            or any(branch.reads_classifiers() for branch in self.any_of or [])

    def passage_score_bars(self) -> list[float]:
        """Every ``passage_score_at_least`` in this condition and its ``any_of`` branches."""
        bars = [self.passage_score_at_least] if self.passage_score_at_least is not None else []
        for branch in self.any_of or []:
            bars += branch.passage_score_bars()
        return bars

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
        if self.edited_by_other is not None and data.edited_by_other != self.edited_by_other:
            return False
        if self.author_answered is not None and data.author_answered != self.author_answered:
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
