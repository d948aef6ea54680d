"""The one function that derives the label readers see, with its source and IPTC digital-source-type.

Precedence: a moderator's label (locked: the author cannot edit it away) beats a classifier-derived label
the policy chose to show, which beats the author's disclosure. No disclosure at all is ``not_disclosed``,
never "human".
"""
from __future__ import annotations

from dataclasses import dataclass

from .schema import ASSISTANCE_KINDS, Disclosure

IPTC_BASE = "http://cv.iptc.org/newscodes/digitalsourcetype/"

#: value → (badge text, IPTC digital source type or None)
LABELS: dict[str, tuple[str, str | None]] = {
    "human_only": ("Human-written", "digitalCreation"),
    "ai_assisted": ("AI-assisted", "compositeWithTrainedAlgorithmicMedia"),
    "ai_generated": ("Mostly AI-written", "trainedAlgorithmicMedia"),
    "not_disclosed": ("AI use not disclosed", None),
}
SOURCES = {"author": "declared by the author", "classifier": "applied by the classifiers",
           "moderator": "applied by a moderator"}
AI_LABELS = ("ai_assisted", "ai_generated")


@dataclass(frozen=True)
class Label:
    value: str
    source: str
    text: str
    detail: str
    iptc_uri: str | None
    locked: bool = False

    @property
    def is_ai(self) -> bool:
        return self.value in AI_LABELS

    @property
    def source_text(self) -> str:
        return SOURCES.get(self.source, self.source)

    def as_dict(self) -> dict:
        return {"value": self.value, "text": self.text, "detail": self.detail, "source": self.source,
                "iptc_digital_source_type": self.iptc_uri, "locked": self.locked}


def value_from_disclosure(disclosure: Disclosure | None, *, has_ai_blocks: bool = False) -> str:
    if disclosure is None:
        return "not_disclosed"
    if disclosure.human_only and not has_ai_blocks:
        return "human_only"
    if disclosure.extent_of("drafting") == "most" or disclosure.ai_share_percent >= 50:
        return "ai_generated"
    return "ai_assisted"


def label_detail(disclosure: Disclosure | None) -> str:
    """ "editing, research" — what kinds of help the author declared."""
    if disclosure is None or disclosure.human_only:
        return ""
    return ", ".join(ASSISTANCE_KINDS[k].split(":")[0].lower() for k in disclosure.kinds)


def derive_label(*, disclosure: Disclosure | None, has_ai_blocks: bool = False, override_value: str = "",
                 override_source: str = "", locked: bool = False) -> Label:
    """The reader-facing label. ``override_*`` carry a moderator's or the policy's label, when there is one."""
    if override_value in LABELS:
        value, source = override_value, override_source or "moderator"
    else:
        value, source, locked = value_from_disclosure(disclosure, has_ai_blocks=has_ai_blocks), "author", False
    text, iptc = LABELS[value]
    detail = label_detail(disclosure) if source == "author" else ""
    return Label(value=value, source=source, text=text, detail=detail,
                 iptc_uri=f"{IPTC_BASE}{iptc}" if iptc else None, locked=locked)
