"""Disclosure consistency: do the passages the other classifiers score as AI sit where the author said?

"Undisclosed AI" is the offence, not AI use. This classifier reads no text itself: it runs after the others
(``needs_results = True``, see :mod:`moderation.classifiers.base`) and compares their passage scores with
the declared AI blocks and the disclosure's ``ai_share_percent``. Its findings, in ``details["findings"]``
(the policy's ``findings_any`` condition reads them), each with evidence (body offsets and probabilities):

- ``undisclosed_ai_passages``: passages outside declared AI blocks (the author's own text, collapsible
  sections) whose combined score reaches the flag threshold (option ``flag_threshold``; by default the
  mean of the thresholds the input classifiers report in ``details["threshold"]``, else 0.8), and the
  disclosure does not already account for them (no disclosure, ``human_only``, or a declared share well
  below — by ``share_margin_percent`` — what the flagged text amounts to);
- ``ai_passages_unmarked``: such passages when the declared ``ai_share_percent`` does cover them — AI use was
  declared, only the block markup is missing (a lighter matter for a moderator);
- ``declared_share_understated``: the estimated AI share of the prose (declared blocks + flagged passages)
  exceeds the declared ``ai_share_percent`` by at least ``share_margin_percent`` points;
- ``human_only_contradicted``: the author ticked "entirely human-written" and some passage is flagged.

The unit it judges is the finest stretch the classifiers scored (their windows or spans, clipped to the
undeclared passages): an undeclared passage is cut wherever some classifier's stretch begins or ends, and each
piece's combined score is the mean over the classifiers that scored it (``combine: "max"`` for the highest).
Pieces shorter than ``min_words`` are never flagged (too little evidence). Its own post score is the highest
combined score of an undeclared piece with enough words.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from disclosure.blocks import AUTHOR, COLLAPSIBLE, DECLARED_AI, Passage
from disclosure.schema import Disclosure

from ..policy.evidence import mean_flag_threshold
from .base import Classifier, ClassifierOutput, PassageScore

UNDECLARED_KINDS = (AUTHOR, COLLAPSIBLE)


def inputs_key(results: Sequence[ClassifierOutput]) -> str:
    """What the consistency result was computed from; the pipeline recomputes it when this changes."""
    rows = sorted([r.classifier, r.version, r.status, r.score] for r in results)
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]


def _stretches(result: ClassifierOutput) -> list[tuple[int, int, float]]:
    """The finest scored stretches of one output: spans with a probability where given, else passages."""
    stretches = []
    for scored in result.passages:
        if scored.status != "ok" or scored.probability is None:
            continue
        spans = [(s.start, s.end, s.probability) for s in scored.spans if s.probability is not None and s.end > s.start]
        stretches += spans or [(scored.start, scored.end, scored.probability)]
    return stretches


def text_between(passage: Passage, start: int, end: int) -> str:
    """The passage's text for the body range [start, end) (markup dropped, as the classifiers saw it)."""
    parts = []
    for text_start, body_start, length in passage.segments:
        lo, hi = max(start, body_start), min(end, body_start + length)
        if lo < hi:
            parts.append(passage.text[text_start + lo - body_start:text_start + hi - body_start])
    return " ".join(parts)


@dataclass
class Segment:
    start: int
    end: int
    passage: Passage
    scores: dict[str, float]
    combined: float
    text: str


class DisclosureConsistencyClassifier(Classifier):
    name = "disclosure_consistency"
    version = "1"
    needs_results: ClassVar[bool] = True

    def __init__(self, **options):
        super().__init__(**options)
        #: None: the mean of the thresholds the input classifiers report (``details["threshold"]``, e.g. the
        #: built-in detector's ≤1%-false-flag operating point), else the policy's FLAG_THRESHOLD.
        self.flag_threshold = float(options["flag_threshold"]) if options.get("flag_threshold") is not None \
            else None
        self.share_margin = float(options.get("share_margin_percent", 25))
        self.min_words = int(options.get("min_words", 20))
        self.combine = options.get("combine", "mean")
        self.only = set(options.get("classifiers") or [])

    def _inputs(self, results: Sequence[ClassifierOutput]) -> list[ClassifierOutput]:
        return [r for r in results if r.classifier != self.name and (not self.only or r.classifier in self.only)]

    def threshold_for(self, inputs: Sequence[ClassifierOutput]) -> float:
        if self.flag_threshold is not None:
            return self.flag_threshold
        reported = []
        for result in inputs:
            value = result.details.get("threshold") if result.status == "ok" else None
            if isinstance(value, (int, float)) and 0 < value <= 1:
                reported.append(float(value))
        return mean_flag_threshold(reported)

    def segments(self, passage: Passage, results: Sequence[ClassifierOutput]) -> list[Segment]:
        """Cut an undeclared passage wherever some classifier's scored stretch begins or ends; each piece gets
        every classifier's score that covers it and their combination."""
        per_classifier = {}
        for result in results:
            if result.status == "ok":
                clipped = [(max(a, passage.start), min(b, passage.end), p) for a, b, p in _stretches(result)
                           if min(b, passage.end) > max(a, passage.start)]
                if clipped:
                    per_classifier[result.classifier] = clipped
        bounds = sorted({passage.start, passage.end} | {x for c in per_classifier.values() for a, b, _ in c
                                                         for x in (a, b)})
        segments = []
        for a, b in zip(bounds, bounds[1:]):
            scores = {}
            for name, stretches in per_classifier.items():
                covering = [p for s, e, p in stretches if s <= a and e >= b]
                if covering:
                    scores[name] = sum(covering) / len(covering)
            text = text_between(passage, a, b)
            if not scores or not text.strip():
                continue
            values = list(scores.values())
            combined = max(values) if self.combine == "max" else sum(values) / len(values)
            if segments and segments[-1].end == a and segments[-1].scores == scores:
                last = segments[-1]
                segments[-1] = Segment(last.start, b, passage, scores, combined, f"{last.text} {text}")
            else:
                segments.append(Segment(a, b, passage, scores, combined, text))
        return segments

    def classify(self, passages, disclosure):  # pragma: no cover - needs_results classifiers get results
        return self.classify_with_results(passages, disclosure, [])

    def classify_with_results(self, passages: Sequence[Passage], disclosure: Disclosure | None,
                              results: Sequence[ClassifierOutput]) -> ClassifierOutput:
        inputs = self._inputs(results)
        threshold = self.threshold_for(inputs)
        details = {
            "inputs": [{"classifier": r.classifier, "version": r.version, "status": r.status} for r in inputs],
            "inputs_key": inputs_key(inputs),
            "flag_threshold": threshold,
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
            for segment in self.segments(passage, inputs):
                enough = len(segment.text.split()) >= self.min_words
                scores.append(PassageScore(
                    start=segment.start, end=segment.end, kind=passage.kind, probability=round(segment.combined, 4),
                    status="ok" if enough else "insufficient_evidence",
                    features={f"score:{name}": round(v, 4) for name, v in
                              sorted(segment.scores.items(), key=lambda kv: -kv[1])},
                ))
                if enough and segment.combined >= threshold:
                    flagged.append(segment)
        if not any(s.status == "ok" for s in scores):
            return self.output(status="insufficient_evidence", passages=scores, details={
                **details, "reason": f"no undeclared passage of at least {self.min_words} words was scored"})

        flagged_chars = sum(len(s.text) for s in flagged)
        estimated = min(100, round(100 * (declared_chars + flagged_chars) / prose_chars))
        human_only = bool(disclosure and disclosure.human_only)
        declared_share = 0 if disclosure is None or human_only else int(disclosure.ai_share_percent)
        evidence = [{"start": s.start, "end": s.end, "probability": round(s.combined, 4)} for s in flagged]
        findings = []
        if flagged:
            flagged_share = round(100 * flagged_chars / prose_chars)
            covered = (disclosure is not None and not human_only
                       and declared_share + self.share_margin > flagged_share)
            findings.append({
                "code": "ai_passages_unmarked" if covered else "undisclosed_ai_passages",
                "message": (f"{len(flagged)} passage(s) outside declared AI blocks read as AI-written "
                            f"(≥ {threshold:.2f})" +
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
