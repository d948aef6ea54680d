"""The one function that derives the label readers see, with its source and IPTC digital-source-type.

Precedence: a moderator's label (locked: the author cannot edit it away) beats a classifier-derived label
the policy chose to show, which beats the author's disclosure. No disclosure at all is ``not_disclosed``,
never "human", and its source is ``none``: nobody declared or applied it, so it never claims the author did.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from .grades import Grade, grade_for, grade_named
from .schema import Disclosure, kind_phrase

IPTC_BASE = "http://cv.iptc.org/newscodes/digitalsourcetype/"

#: value → badge text. The IPTC digital source type follows the grade (below), not the badge.
LABELS: dict[str, str] = {
    "human_only": gettext_noop("Human-written"),
    "ai_assisted": gettext_noop("AI-assisted"),
    "ai_generated": gettext_noop("Mostly AI-written"),
    "not_disclosed": gettext_noop("AI use not disclosed"),
}
#: The IPTC digital source type follows the grade, so JSON-LD stays in step with the EU label.
IPTC_BY_GRADE: dict[str, str | None] = {
    "human_only": "digitalCreation",
    "ai_supported": "digitalCreation",  # AI found sources or ideas; every word is the author's
    "ai_edited_minor": "algorithmicallyEnhanced",
    "ai_modified": "compositeWithTrainedAlgorithmicMedia",
    "ai_assisted": "compositeWithTrainedAlgorithmicMedia",
    "ai_generated": "trainedAlgorithmicMedia",
    "not_disclosed": None,
}
SOURCES = {"author": gettext_noop("declared by the author"), "classifier": gettext_noop("applied by the classifiers"),
           "moderator": gettext_noop("applied by a moderator")}
#: Every ``Label.source``: who declared or applied the label. ``none``: no one (``not_disclosed``, the post came
#: without a disclosure); it has no source text, since there is nobody to name.
LABEL_SOURCES = (*SOURCES, "none")
#: The sources that replace the author's declaration (a moderator's label, or the classifiers' one).
OVERRIDE_SOURCES = ("classifier", "moderator")
AI_LABELS = ("ai_assisted", "ai_generated")
#: Labels a moderator may apply: "not disclosed" is a fact about the author's declaration, not a verdict.
MODERATOR_LABELS = ("human_only", "ai_assisted", "ai_generated")


@dataclass(frozen=True)
class Label:
    value: str
    source: str
    text: str
    detail: str
    iptc_uri: str | None
    locked: bool = False
    #: EU AI Act Art. 50 view of the same disclosure (disclosure/grades.py).
    grade: Grade | None = None
    #: A person reviewed the AI text and holds editorial responsibility (the Art. 50(4) exemption).
    exempt_by_review: bool = False

    @property
    def shows_eu_mark(self) -> bool:
        """Whether readers see the EU mark: a required label, unless exempt and the operator hides those."""
        from .conf import app_settings

        if self.grade is None or self.grade.eu_variant in ("none", "unknown"):
            return False
        if self.exempt_by_review and not app_settings.SHOW_LABEL_WHEN_REVIEWED:
            return False
        return True

    @property
    def is_ai(self) -> bool:
        return self.value in AI_LABELS

    @property
    def badge_text(self) -> str:
        """What the badge reads: "AI-assisted: drafting" (the text, then the declared kinds when there are)."""
        return f"{self.text}: {self.detail}" if self.detail else self.text

    @property
    def source_text(self) -> str:
        """"declared by the author"; "" for ``none`` (nobody to name)."""
        if self.source == "none":
            return ""
        return gettext(SOURCES[self.source]) if self.source in SOURCES else self.source

    @property
    def is_override(self) -> bool:
        """A moderator's or the classifiers' label stands in place of what the author declared."""
        return self.source in OVERRIDE_SOURCES

    def as_dict(self) -> dict:
        grade = self.grade
        return {"value": self.value, "text": self.text, "detail": self.detail, "source": self.source,
                "iptc_digital_source_type": self.iptc_uri, "locked": self.locked,
                "grade": grade.grade if grade else None, "eu_variant": grade.eu_variant if grade else None,
                "label_required": grade.label_required if grade else None,
                "exempt_by_review": self.exempt_by_review}


def value_from_grade(grade: Grade) -> str:
    """The badge follows the involvement grade, so the badge and the EU mark never disagree."""
    if grade.grade in ("human_only", "ai_generated", "not_disclosed"):
        return grade.grade
    return "ai_assisted"


def label_detail(disclosure: Disclosure | None) -> str:
    """ "editing, research" — what kinds of help the author declared."""
    if disclosure is None or disclosure.human_only:
        return ""
    return ", ".join(kind_phrase(k) for k in disclosure.kinds)


def derive_label(*, disclosure: Disclosure | None, has_ai_blocks: bool = False, override_value: str = "",
                 override_source: str = "", locked: bool = False) -> Label:
    """The reader-facing label. ``override_*`` carry a moderator's or the policy's label, when there is one."""
    grade = grade_for(disclosure, has_ai_blocks=has_ai_blocks)
    if override_value in LABELS:
        value, source = override_value, override_source or "moderator"
    else:
        value, locked = value_from_grade(grade), False
        source = "author" if disclosure is not None else "none"
    text = gettext(LABELS[value])  # in the active language (the reader's on a page; English in workers)
    detail = label_detail(disclosure) if source == "author" else ""
    if source not in ("author", "none"):
        # A moderator's or classifier's label replaces the author's grade: the badge, the EU variant, the IPTC
        # type and the JSON-LD all follow the one label value, so a "Human-written" badge never stands beside
        # an "AI-generated" EU mark or a trainedAlgorithmicMedia type.
        grade = grade_named(value)
    review = disclosure.human_review if disclosure is not None else None
    exempt = bool(grade.label_required and review is not None and review.reviewed and review.responsible.strip())
    iptc = IPTC_BY_GRADE.get(grade.grade)
    return Label(value=value, source=source, text=text, detail=detail,
                 iptc_uri=f"{IPTC_BASE}{iptc}" if iptc else None, locked=locked, grade=grade,
                 exempt_by_review=exempt)

