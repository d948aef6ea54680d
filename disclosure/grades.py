"""AI-involvement grades, derived from what the author declared (EU AI Act Article 50 labelling).

One pure function, :func:`grade_for`, maps a disclosure (plus whether the body has AI-written blocks) to
``{grade, eu_variant, label_required}``. The author is never asked a second question: the grade follows
from the structured disclosure. ``eu_variant`` names which of the Commission's three marks applies
(``ai``, ``ai_generated``, ``ai_modified``), or ``none`` / ``unknown``.

Default table (README documents it; operators override ``DISCLOSURE["GRADE_TABLE"]`` and
``DISCLOSURE["GRADES"]``, validated by a system check):

============================================================  =================  ==============  ========
declared                                                      grade              eu_variant      label
============================================================  =================  ==============  ========
human-only                                                    human_only         none            no
only research, ideation, code/analysis, data/figures, other   ai_supported       ai              no
editing, minor only                                           ai_edited_minor    ai              no
editing substantial or more, or translation                   ai_modified        ai_modified     yes
drafting, minor or substantial                                ai_assisted        ai_modified     yes
drafting "most", or an AI share of 50% or more                ai_generated       ai_generated    yes
============================================================  =================  ==============  ========

AI-written blocks raise the grade to at least ``ai_assisted``. No disclosure is ``not_disclosed`` with
``eu_variant`` ``unknown`` — never ``none``. The grade is the highest that any declared item reaches, so
adding assistance never lowers it. This is not legal advice.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .schema import ASSISTANCE_KINDS, EXTENTS, Disclosure

#: Grades from least to most AI involvement; ``not_disclosed`` stands apart.
GRADE_ORDER = ("human_only", "ai_supported", "ai_edited_minor", "ai_modified", "ai_assisted", "ai_generated")
EU_VARIANTS = ("none", "ai", "ai_modified", "ai_generated", "unknown")

DEFAULT_GRADES: dict[str, dict[str, Any]] = {
    "human_only": {"eu_variant": "none", "label_required": False},
    "ai_supported": {"eu_variant": "ai", "label_required": False},
    "ai_edited_minor": {"eu_variant": "ai", "label_required": False},
    "ai_modified": {"eu_variant": "ai_modified", "label_required": True},
    "ai_assisted": {"eu_variant": "ai_modified", "label_required": True},
    "ai_generated": {"eu_variant": "ai_generated", "label_required": True},
    "not_disclosed": {"eu_variant": "unknown", "label_required": False},
}

_SUPPORT = {"minor": "ai_supported", "substantial": "ai_supported", "most": "ai_supported"}
#: kind → extent → grade that item alone reaches.
DEFAULT_GRADE_TABLE: dict[str, dict[str, str]] = {
    "research": _SUPPORT, "ideation": _SUPPORT, "code_analysis": _SUPPORT, "data_figures": _SUPPORT,
    "other": _SUPPORT,
    "editing": {"minor": "ai_edited_minor", "substantial": "ai_modified", "most": "ai_modified"},
    "translation": {"minor": "ai_modified", "substantial": "ai_modified", "most": "ai_modified"},
    "drafting": {"minor": "ai_assisted", "substantial": "ai_assisted", "most": "ai_generated"},
}
#: An AI share of the final text at or above this makes the post ``ai_generated``.
GENERATED_SHARE_PERCENT = 50


@dataclass(frozen=True)
class Grade:
    grade: str
    eu_variant: str
    label_required: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _tables() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, Any]]]:
    from .conf import app_settings

    table = {**DEFAULT_GRADE_TABLE, **(app_settings.GRADE_TABLE or {})}
    grades = {**DEFAULT_GRADES, **(app_settings.GRADES or {})}
    return table, grades


def _higher(a: str, b: str) -> str:
    return a if GRADE_ORDER.index(a) >= GRADE_ORDER.index(b) else b


def grade_for(disclosure: Disclosure | None, *, has_ai_blocks: bool = False) -> Grade:
    """The involvement grade of a post, its EU label variant and whether a label is required."""
    table = _tables()[0]
    if disclosure is None:
        grade = "not_disclosed"
    elif disclosure.human_only and not has_ai_blocks:
        grade = "human_only"
    else:
        grade = "human_only"
        for item in disclosure.assistance:
            grade = _higher(grade, table[item.kind][item.extent])
        if disclosure.ai_share_percent >= GENERATED_SHARE_PERCENT:
            grade = "ai_generated"
        if has_ai_blocks:
            grade = _higher(grade, "ai_assisted")
        if grade == "human_only":  # not human-only, yet nothing declared: the least AI grade
            grade = "ai_supported"
    return grade_named(grade)


def grade_named(name: str) -> Grade:
    """The grade ``name`` with its (possibly overridden) EU variant and label requirement."""
    info = _tables()[1][name]
    return Grade(grade=name, eu_variant=info["eu_variant"], label_required=bool(info["label_required"]))


def grade_table_errors(table: Any, grades: Any) -> list[str]:
    """Problems with operator overrides (run by the system check)."""
    errors = []
    if table is not None:
        if not isinstance(table, dict):
            return ["DISCLOSURE['GRADE_TABLE'] must be a dict of kind → {extent: grade}."]
        for kind, extents in table.items():
            if kind not in ASSISTANCE_KINDS:
                errors.append(f"GRADE_TABLE: unknown kind {kind!r}.")
                continue
            if not isinstance(extents, dict) or set(extents) != set(EXTENTS):
                errors.append(f"GRADE_TABLE[{kind!r}] must map each of {', '.join(EXTENTS)} to a grade.")
                continue
            errors += [f"GRADE_TABLE[{kind!r}][{e!r}]: unknown grade {g!r}." for e, g in extents.items()
                       if g not in GRADE_ORDER]
    if grades is not None:
        if not isinstance(grades, dict):
            return errors + ["DISCLOSURE['GRADES'] must be a dict of grade → {eu_variant, label_required}."]
        for grade, info in grades.items():
            if grade not in DEFAULT_GRADES:
                errors.append(f"GRADES: unknown grade {grade!r}.")
            elif not isinstance(info, dict) or info.get("eu_variant") not in EU_VARIANTS or \
                    not isinstance(info.get("label_required"), bool):
                errors.append(f"GRADES[{grade!r}] needs eu_variant in {EU_VARIANTS} and a bool label_required.")
            elif grade == "not_disclosed" and info["eu_variant"] == "none":
                errors.append("GRADES['not_disclosed'] cannot have eu_variant 'none': unknown is not human.")
    return errors
