"""Shared glue between :func:`detect` and the classifier plugin contract
(:mod:`moderation.classifiers.base`).  Used by ``StylometricClassifier`` and
``StatisticalClassifier``; kept here so both stay thin.

Passages of kind ``author`` (and ``collapsible``, also the author's prose) are
concatenated in body order and scored together, so an author paragraph cut in
two by a quote is still one piece of evidence; every ``declared_ai`` block is
scored on its own.  ``quote`` and ``code`` passages are reported as
``skipped``.  Window offsets are mapped back to the post body through
``Passage.body_offset``.  The post-level ``score`` is :func:`detect`'s post
probability (the windows' averaged log-odds) of the *author's* passages: declared AI blocks are disclosed
already, their scores are reported (``details["declared_ai_max"]``) but do not
raise the post's score.
"""

from __future__ import annotations

from collections.abc import Sequence

from moderation.detector.api import detect

AUTHOR_KINDS = ("author", "collapsible")
DECLARED = "declared_ai"
#: with the classifiers' ``read_quotes`` option, quoted text is scored as the author's too
AUTHOR_AND_QUOTE_KINDS = AUTHOR_KINDS + ("quote",)


def author_kinds(options: dict) -> tuple[str, ...]:
    """The passage kinds a built-in classifier scores as the author's: quotes too with ``read_quotes``
    (``{"options": {"read_quotes": true}}``). Off by default: a quote is usually someone else's words, and
    people quote AI output to discuss it; on, a post cannot pass AI text off as a Markdown quote (an answer
    that continues a one-line quote without a blank line is, in Markdown, part of the quote)."""
    return AUTHOR_AND_QUOTE_KINDS if options.get("read_quotes") else AUTHOR_KINDS


def options_suffix(options: dict) -> str:
    """Part of the classifier's version: results scored with quotes read, or against one threshold for every
    post length, are not the same results."""
    return ("+quotes" if options.get("read_quotes") else "") + ("+one-threshold" if options.get("one_threshold")
                                                               else "")


class _Joined:
    """Several passages joined with blank lines, with a map back to the body."""

    SEP = "\n\n"

    def __init__(self, passages):
        self.parts = []
        chunks = []
        pos = 0
        for p in passages:
            if chunks:
                chunks.append(self.SEP)
                pos += len(self.SEP)
            self.parts.append((pos, pos + len(p.text), p))
            chunks.append(p.text)
            pos += len(p.text)
        self.text = "".join(chunks)

    def body(self, i: int, *, end: bool = False) -> int:
        """Body offset of joined index ``i`` (``end=True``: exclusive end of char i-1)."""
        j = i - 1 if end else i
        best = None
        for a, b, p in self.parts:
            if a <= j < b:
                off = _passage_offset(p, j - a)
                return off + 1 if end else off
            if j >= b:
                best = (b, p)
        if best is not None:  # in a separator: snap to the end of the previous passage
            return best[1].end
        return self.parts[0][2].start if self.parts else 0


def scored_author_text(body: str, fmt: str = "markdown") -> str:
    """The text the built-in classifiers score for a post ``body``: its author passages, joined as
    :func:`classify_passages` joins them (quotes, code and declared AI blocks left out, Markdown read as the
    renderer reads it). The detector's evaluation scores documents through this, so it measures what the
    product does. Raises ``disclosure.blocks.BlockSyntaxError``."""
    from disclosure.blocks import parse_body

    return _Joined(_author_passages(parse_body(body, fmt).passages)).text


def as_posted(text: str) -> str:
    """What the built-in classifiers score of ``text`` posted as Markdown (:func:`scored_author_text`), for the
    detector's training and evaluation, so that both see what the product scores: a reply whose answer
    continues its one-line quote without a blank line is, in Markdown, all quote, and the product scores none
    of it. Text the product would refuse at submission (an unclosed AI block) is taken as it is."""
    from disclosure.blocks import BlockSyntaxError

    try:
        return scored_author_text(text)
    except BlockSyntaxError:
        return text


def _author_passages(passages: Sequence, kinds: tuple[str, ...] = AUTHOR_KINDS) -> list:
    return [p for p in passages if p.kind in kinds and p.text.strip()]


def _passage_offset(p, k: int) -> int:
    if hasattr(p, "body_offset") and getattr(p, "segments", None):
        return p.body_offset(k)
    return p.start + k


def classify_passages(classifier, passages: Sequence, *, use_lm: bool | None,
                      kinds: tuple[str, ...] = AUTHOR_KINDS):
    """``kinds``: the passage kinds scored together as the author's (:func:`author_kinds`). With the
    classifier's ``one_threshold`` option every post is compared with the one-window threshold whatever its
    length: more pasted AI paragraphs in long posts reach a moderator, and more long human posts too
    (docs/detector.md, "Detector version 10"); by default, with its length band's."""
    from moderation.classifiers.base import PassageScore, current_evidence_bar

    by_length = not classifier.options.get("one_threshold")

    scores: list = []
    author = _author_passages(passages, kinds)
    declared = [p for p in passages if p.kind == DECLARED and p.text.strip()]
    for p in passages:
        if p.kind not in kinds and p.kind != DECLARED:
            scores.append(PassageScore(start=p.start, end=p.end, kind=p.kind, status="skipped"))

    def run(group, kind):
        j = _Joined(group)
        r = detect(j.text, use_lm=use_lm, stop_at=current_evidence_bar(), by_length=by_length,
                   markup=not all(getattr(p, "literal", False) for p in group))
        out = []
        if r.status != "ok" and not r.windows:
            for p in group:
                out.append(PassageScore(start=p.start, end=p.end, kind=kind, status="insufficient_evidence",
                                        features={}, stage="cheap"))
            return r, out
        for w in r.windows:
            out.append(PassageScore(
                start=j.body(w.start), end=j.body(w.end, end=True), kind=kind,
                probability=w.probability, status=w.status,
                features=dict(w.top_features), stage=w.stage))
        return r, out

    author_result = None
    if author:
        author_result, ps = run(author, "author")
        scores += ps
    declared_max = None
    threshold = None
    for p in declared:
        r, ps = run([p], DECLARED)
        scores += ps
        threshold = r.threshold
        if r.probability is not None:
            declared_max = max(declared_max or 0.0, r.probability)
    scores.sort(key=lambda s: (s.start, s.end))
    details = {"declared_ai_max": declared_max}
    if author_result is not None:
        details.update(threshold=author_result.threshold, post_threshold=author_result.post_threshold,
                       **({"threshold_length_band": author_result.threshold_length_band,
                           "one_window_threshold": author_result.one_window_threshold}
                          if author_result.threshold_length_band else {}),
                       **({"thresholds_by_length": author_result.thresholds_by_length}
                          if author_result.thresholds_by_length else {}),
                       flagged=author_result.flagged, flagged_by=author_result.flagged_by,
                       verdict=author_result.verdict, reason=author_result.reason,
                       stage=author_result.stage, artifact=author_result.artifact,
                       excluded=[list(e) for e in author_result.excluded])
    elif threshold is not None:
        details["threshold"] = threshold
    if author_result is not None and author_result.status == "ok":
        return classifier.output(status="ok", score=author_result.probability, passages=scores,
                                 details=details)
    return classifier.output(status="insufficient_evidence", score=None, passages=scores, details=details)
