"""The AI-assistance disclosure: a versioned pydantic model, exported as JSON Schema.

A disclosure is either ``human_only`` (the author ticks "This post is entirely human-written") or a
structured account of how AI helped: which kinds of help, how much, which tools, the share of the final
text AI wrote, and free text on the process and on how the author checked the AI's work.

Revisions store the disclosure as JSON together with its ``schema_version``; :func:`upcast` reads older
versions, so policies always see the current model.

Validation is split in two so that every problem can be reported against a field a person can fix:
types and shapes (pydantic), then the cross-field rules (:func:`rule_errors`). :func:`validate_disclosure`
runs both and returns field-level errors; ``Disclosure.model_validate`` on its own also enforces the rules.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

from .text import invisible

#: Version 2 added ``human_review`` (EU AI Act Art. 50(4): human review and editorial responsibility).
SCHEMA_VERSION = 2
SUPPORTED_VERSIONS = (1, 2)
SCHEMA_ID = "https://github.com/django-ai-disclosure/schema/disclosure-v2.json"

AssistanceKind = Literal[
    "drafting", "editing", "translation", "research", "ideation", "code_analysis", "data_figures", "other"
]
Extent = Literal["minor", "substantial", "most"]

ASSISTANCE_KINDS: dict[str, str] = {
    "drafting": _("Drafting: AI wrote some of the text"),
    "editing": _("Editing: AI revised wording, grammar or structure"),
    "translation": _("Translation"),
    "research": _("Research: finding or summarising sources"),
    "ideation": _("Ideas: brainstorming, outlining, arguments"),
    "code_analysis": _("Code or analysis"),
    "data_figures": _("Data or figures"),
    "other": _("Other"),
}


def kind_name(kind: str) -> str:
    """The short name of a kind of help: "drafting" → "Drafting" (its label without the explanation)."""
    return str(ASSISTANCE_KINDS[kind]).split(":")[0]


def kind_phrase(kind: str) -> str:
    """The short name inside a sentence: lower-case in English ("editing, research"), as the active language
    spells it otherwise (German nouns keep their capital: "Überarbeitung, Recherche")."""
    name = kind_name(kind)
    return name.lower() if (get_language() or "en").startswith("en") else name


EXTENTS: dict[str, str] = {
    "minor": _("Minor"),
    "substantial": _("Substantial"),
    "most": _("Most of it"),
}
#: Kinds whose output is a claim about the world the author should have checked.
KINDS_NEEDING_VERIFICATION = ("research", "code_analysis")
MIN_PROCESS_CHARS = 40
#: tool or model names a disclosure may list (the recorder keeps a draft within it too)
MAX_TOOLS = 20


class Assistance(BaseModel):
    """One kind of help AI gave, and how much."""

    model_config = ConfigDict(extra="forbid", strict=True)

    kind: AssistanceKind
    extent: Extent
    details: str | None = Field(default=None, max_length=500)


class HumanReview(BaseModel):
    """Whether a person reviewed the AI-generated text and who holds editorial responsibility for it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    reviewed: bool = False
    responsible: str = Field(default="", max_length=200,
                             description="Who holds editorial responsibility (a person or an editorial role).")


class Disclosure(BaseModel):
    """What the author declares about AI assistance on one revision of a post."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        title="AI-assistance disclosure",
        json_schema_extra={"$id": SCHEMA_ID, "x-schema-version": SCHEMA_VERSION},
    )

    schema_version: Literal[2] = SCHEMA_VERSION
    human_only: bool = Field(description='"This post is entirely human-written."')
    assistance: list[Assistance] = Field(default_factory=list, max_length=len(ASSISTANCE_KINDS))
    tools: list[str] = Field(default_factory=list, max_length=MAX_TOOLS, description="Tool or model names.",
                             # what rule_errors enforces, for clients generated from the JSON Schema
                             json_schema_extra={"items": {"type": "string", "minLength": 1, "maxLength": 100},
                                                "uniqueItems": True})
    ai_share_percent: int = Field(
        default=0, ge=0, le=100, description="The author's estimate of how much of the final text AI wrote."
    )
    process: str = Field(default="", max_length=5000, description="How AI was used.")
    verification: str = Field(default="", max_length=5000, description="How the author checked the AI's work.")
    human_review: HumanReview | None = Field(
        default=None, description="Human review / editorial responsibility (EU AI Act Art. 50(4)); since v2.")

    @model_validator(mode="after")
    def _enforce_rules(self, info: ValidationInfo) -> Disclosure:
        if info.context and info.context.get("defer_rules"):
            return self
        errors = rule_errors(self)
        if errors:
            raise ValueError("; ".join(f"{e.field}: {e.message}" for e in errors))
        return self

    @property
    def kinds(self) -> list[str]:
        return [item.kind for item in self.assistance]

    def extent_of(self, kind: str) -> str | None:
        return next((item.extent for item in self.assistance if item.kind == kind), None)

    def summary(self) -> str:
        """One line for badges and the moderator queue: "AI-assisted: editing, research"."""
        if self.human_only:
            return "Human-written"
        kinds = ", ".join(kind_phrase(k) for k in self.kinds)
        return gettext("AI-assisted: %(kinds)s") % {"kinds": kinds}


@dataclass(frozen=True)
class FieldError:
    """A problem a person can fix, reported against a dotted field path such as ``assistance.0.kind``."""

    field: str
    message: str

    def as_dict(self, prefix: str = "") -> dict[str, str]:
        return {"field": f"{prefix}{self.field}" if self.field else prefix.rstrip("."), "message": self.message}


def rule_errors(d: Disclosure, *, accepted_tools: list[str] | None = None) -> list[FieldError]:
    """The cross-field rules. Each message says what is wrong and how to fix it.

    ``accepted_tools``: the tool list of the version already stored, accepted again as it is (a list stored
    before a tool could not be named twice must not turn an unchanged re-send into an error)."""
    errors: list[FieldError] = []
    if d.human_only:
        if d.assistance:
            errors.append(FieldError("assistance", gettext(
                "A post marked entirely human-written cannot list AI assistance. Untick “entirely human-written” "
                "or remove the assistance.")))
        if d.tools:
            errors.append(FieldError("tools", gettext(
                "A post marked entirely human-written cannot name AI tools.")))
        if d.ai_share_percent:
            errors.append(FieldError("ai_share_percent", gettext(
                "A post marked entirely human-written has an AI share of 0%.")))
        return errors

    if not d.assistance:
        errors.append(FieldError("assistance", gettext(
            "Say what kind of help AI gave: choose at least one kind, or tick “This post is entirely "
            "human-written”.")))
    seen: set[str] = set()
    for index, item in enumerate(d.assistance):
        if item.kind in seen:
            errors.append(FieldError(f"assistance.{index}.kind", gettext(
                "“%(kind)s” is listed twice; list each kind of help once.") % {"kind": item.kind}))
        seen.add(item.kind)
    if len(d.process.strip()) < MIN_PROCESS_CHARS:
        errors.append(FieldError("process", gettext(
            "Describe in at least a sentence (%(n)s+ characters) how AI was used in this post.")
            % {"n": MIN_PROCESS_CHARS}))
    checked = [k for k in KINDS_NEEDING_VERIFICATION if k in seen]
    if checked and not d.verification.strip():
        names = gettext(" and ").join(kind_phrase(k) for k in checked)
        errors.append(FieldError("verification", gettext(
            "You declared AI help with %(kinds)s: say how you checked the AI's work.") % {"kinds": names}))
    if "drafting" in seen and d.ai_share_percent == 0:
        errors.append(FieldError("ai_share_percent", gettext(
            "You said AI drafted some of the text: estimate its share of the final text (1–100%).")))
    if d.human_review is not None and d.human_review.reviewed and len(d.human_review.responsible.strip()) < 2:
        errors.append(FieldError("human_review.responsible", gettext(
            "You said a person reviewed the AI text: name who holds editorial responsibility for it.")))
    named: set[str] = set()
    for index, tool in enumerate(d.tools):
        if not _visible(tool) or len(tool) > 100:
            errors.append(FieldError(f"tools.{index}", gettext("Each tool name must be 1–100 characters.")))
        elif tool_key(tool) in named and list(d.tools) != list(accepted_tools or []):
            errors.append(FieldError(f"tools.{index}", gettext(
                "“%(tool)s” is named twice; name each tool once.") % {"tool": tool.strip()}))
        named.add(tool_key(tool))
    return errors


def tool_key(name: str) -> str:
    """What makes two tool names one tool: case, spaces and invisible characters aside ("ChatGPT", "chat gpt"
    and "Chat\u200bGPT" are one)."""
    return _visible(name).casefold()


def _visible(text: str) -> str:
    """``text`` without spaces, control characters and :func:`~disclosure.text.invisible` ones (the one test of
    invisibility that titles and categories use: a zero-width space or a variation selector is no tool name)."""
    return "".join(ch for ch in text if not ch.isspace() and not invisible(ch) and unicodedata.category(ch) != "Cc")


def _pydantic_errors(exc: ValidationError) -> list[FieldError]:
    out = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(part) for part in err["loc"])
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "Unknown field; see the disclosure JSON Schema for the allowed fields."
        elif err["type"] == "missing":
            message = "This field is required."
        elif err["type"] == "literal_error":
            message = f"Not an allowed value. {message}."
        elif err["type"] == "too_long" and "max_length" in (err.get("ctx") or {}):  # a list (pydantic's words)
            n = err["ctx"]["max_length"]
            message = (ngettext("Name at most %(max)s tool.", "Name at most %(max)s tools.", n) if field == "tools"
                       else ngettext("At most %(max)s item.", "At most %(max)s items.", n)) % {"max": n}
        out.append(FieldError(field, message))
    return out


def upcast(data: Any) -> Any:
    """Read a stored or submitted disclosure of any supported version as the current version's input.

    Version 1 → 2: ``human_review`` did not exist; it is absent (``None``), everything else is unchanged.
    Input without ``schema_version`` is taken as the current version.
    """
    if not isinstance(data, dict):
        return data
    version = data.get("schema_version", SCHEMA_VERSION)
    if version == 1:
        data = {**data, "schema_version": 2}
        data.setdefault("human_review", None)
    return {**data, "schema_version": data.get("schema_version", SCHEMA_VERSION)}


def validate_disclosure(data: Any, *, accepted_tools: list[str] | None = None
                        ) -> tuple[Disclosure | None, list[FieldError]]:
    """Validate untrusted input. Returns the disclosure, or ``None`` and every field-level error found
    (``accepted_tools``: see :func:`rule_errors`)."""
    if not isinstance(data, dict):
        return None, [FieldError("", "The disclosure must be a JSON object.")]
    version = data.get("schema_version", SCHEMA_VERSION)
    if type(version) is not int or version not in SUPPORTED_VERSIONS:  # strict: True and 1.0 are not 1
        return None, [FieldError("schema_version", f"Unsupported disclosure schema version {version!r}; "
                                 f"supported: {', '.join(map(str, SUPPORTED_VERSIONS))}.")]
    try:
        disclosure = Disclosure.model_validate(upcast(data), context={"defer_rules": True})
    except ValidationError as exc:
        return None, _pydantic_errors(exc)
    errors = rule_errors(disclosure, accepted_tools=accepted_tools)
    return (None, errors) if errors else (disclosure, [])


def load_stored(data: dict[str, Any] | None) -> Disclosure | None:
    """Load a disclosure stored on a revision (already validated when it was written)."""
    if data is None:
        return None
    return Disclosure.model_validate(upcast(data), context={"defer_rules": True})


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the current disclosure version, as served at ``/api/v1/disclosure-schema``."""
    schema = Disclosure.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    # the model's Literal[2] gives ``const: 2``, but validate_disclosure takes every supported version (upcast)
    schema["properties"]["schema_version"] = {
        "title": "Schema Version", "type": "integer", "enum": list(SUPPORTED_VERSIONS), "default": SCHEMA_VERSION,
        "description": f"The version this disclosure was written in; this schema describes version {SCHEMA_VERSION}. "
                       "Version 1 (before human_review) is accepted and read as version 2.",
    }
    return schema
