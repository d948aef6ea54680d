"""Disclosure consistency: do the passages the other classifiers score as AI sit where the author said?

"Undisclosed AI" is the offence, not AI use. This classifier reads no text itself: it runs after the others
(``needs_results = True``, see :mod:`moderation.classifiers.base`) and compares their passage scores with
the declared AI blocks and the disclosure's ``ai_share_percent``. Its findings, in ``details["findings"]``
(the policy's ``findings_any`` condition reads them), each with evidence (body offsets and probabilities):

- ``undisclosed_ai_passages``: passages outside declared AI blocks (the author's own text, collapsible
  sections) whose combined score reaches ``flag_threshold``, and the disclosure does not already account for
  them (no disclosure, ``human_only``, or a declared share below what the flagged text amounts to);
- ``ai_passages_unmarked``: such passages when the declared ``ai_share_percent`` does cover them — AI use was
  declared, only the block markup is missing (a lighter matter for a moderator);
- ``declared_share_understated``: the estimated AI share of the prose (declared blocks + flagged passages)
  exceeds the declared ``ai_share_percent`` by at least ``share_margin_percent`` points;
- ``human_only_contradicted``: the author ticked "entirely human-written" and some passage is flagged.

Passages shorter than ``min_words`` are never flagged (too little evidence). The combined score of a passage
is the mean over the input classifiers (``combine: "max"`` to take the highest) of each classifier's
length-weighted mean over its scored stretches that overlap the passage; unscored passages stay unscored.
Its own post score is the highest combined score of an undeclared passage.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import ClassVar

from disclosure.blocks import AUTHOR, COLLAPSIBLE, DECLARED_AI, Passage
from disclosure.schema import Disclosure

from .base import Classifier, ClassifierOutput, PassageScore

UNDECLARED_KINDS = (AUTHOR, COLLAPSIBLE)


def inputs_key(results: Sequence[ClassifierOutput]) -> str:
    """What the consistency result was computed from; the pipeline recomputes it when this changes."""
    rows = sorted([r.classifier, r.version, r.status, r.score] for r in results)
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


class DisclosureConsistencyClassifier(Classifier):
    name = "disclosure_consistency"
    version = "1"
    needs_results: ClassVar[bool] = True

    def __init__(self, **options):
        super().__init__(**options)
        self.flag_threshold = float(options.get("flag_threshold", 0.8))
        self.share_margin = float(options.get("share_margin_percent", 25))
        self.min_words = int(options.get("min_words", 25))
        self.combine = options.get("combine", "mean")
        self.only = set(options.get("classifiers") or [])

    def _inputs(self, results: Sequence[ClassifierOutput]) -> list[ClassifierOutput]:
        return [r for r in results if r.classifier != self.name and (not self.only or r.classifier in self.only)]

    def combined_scores(self, passage: Passage, results: Sequence[ClassifierOutput]) -> dict[str, float]:
        """Each usable input classifier's score for this passage (length-weighted over overlapping stretches)."""
        per_classifier: dict[str, float] = {}
        for result in results:
            if result.status != "ok":
                continue
            weighted, total = 0.0, 0
            for scored in result.passages:
                if scored.status != "ok" or scored.probability is None:
                    continue
                overlap = _overlap(passage.start, passage.end, scored.start, scored.end)
                if overlap:
                    weighted += scored.probability * overlap
                    total += overlap
            if total:
                per_classifier[result.classifier] = weighted / total
        return per_classifier

    def classify(self, passages, disclosure):  # pragma: no cover - needs_results classifiers get results
        return self.classify_with_results(passages, disclosure, [])

    def classify_with_results(self, passages: Sequence[Passage], disclosure: Disclosure | None,
                              results: Sequence[ClassifierOutput]) -> ClassifierOutput:
        inputs = self._inputs(results)
        details = {
            "inputs": [{"classifier": r.classifier, "version": r.version, "status": r.status} for r in inputs],
            "inputs_key": inputs_key(inputs),
            "flag_threshold": self.flag_threshold,
        }
        if not any(r.status == "ok" for r in inputs):
            return self.output(status="insufficient_evidence", details={
                **details, "reason": "no other classifier produced a usable result"})

        prose = [p for p in passages if p.kind in (*UNDECLARED_KINDS, DECLARED_AI)]
        prose_chars = sum(len(p.text) for p in prose) or 1
        declared_chars = sum(len(p.text) for p in prose if p.kind == DECLARED_AI)
        scores, flagged = [], []
        for passage in prose:
            if passage.kind not in UNDECLARED_KINDS:
                continue
            per_classifier = self.combined_scores(passage, inputs)
            if not per_classifier:
                continue
            values = list(per_classifier.values())
            combined = max(values) if self.combine == "max" else sum(values) / len(values)
            enough = passage.word_count >= self.min_words
            scores.append(PassageScore(
                start=passage.start, end=passage.end, kind=passage.kind, probability=round(combined, 4),
                status="ok" if enough else "insufficient_evidence",
                features={f"score:{name}": round(v, 4) for name, v in
                          sorted(per_classifier.items(), key=lambda kv: -kv[1])},
            ))
            if enough and combined >= self.flag_threshold:
                flagged.append((passage, combined))
        if not scores:
            return self.output(status="insufficient_evidence",
                               details={**details, "reason": "no undeclared passage was scored"})

        flagged_chars = sum(len(p.text) for p, _ in flagged)
        estimated = round(100 * (declared_chars + flagged_chars) / prose_chars)
        human_only = bool(disclosure and disclosure.human_only)
        declared_share = 0 if disclosure is None or human_only else int(disclosure.ai_share_percent)
        evidence = [{"start": p.start, "end": p.end, "probability": round(s, 4)} for p, s in flagged]
        findings = []
        if flagged:
            flagged_share = round(100 * flagged_chars / prose_chars)
            covered = disclosure is not None and not human_only and declared_share >= flagged_share
            findings.append({
                "code": "ai_passages_unmarked" if covered else "undisclosed_ai_passages",
                "message": (f"{len(flagged)} passage(s) outside declared AI blocks read as AI-written "
                            f"(≥ {self.flag_threshold:.2f})" +
                            ("; the declared AI share covers them, the blocks are not marked." if covered else ".")),
                "evidence": evidence,
            })
        if human_only and flagged:
            findings.append({"code": "human_only_contradicted",
                             "message": "Declared entirely human-written, but some passages read as AI-written.",
                             "evidence": evidence})
        if estimated - declared_share >= self.share_margin and (flagged or declared_chars):
            findings.append({
                "code": "declared_share_understated",
                "message": f"About {estimated}% of the text is declared or reads as AI-written; the disclosure "
                           f"says {declared_share}%.",
                "evidence": evidence + [{"start": p.start, "end": p.end, "declared": True}
                                        for p in prose if p.kind == DECLARED_AI],
            })
        return self.output(
            status="ok", score=max((s.probability for s in scores if s.status == "ok"), default=None), passages=scores,
            details={**details, "findings": findings, "estimated_ai_share_percent": estimated,
                     "declared_ai_share_percent": declared_share, "flagged_passages": len(flagged)},
        )
