"""The pipeline's passage report (``{% passage_scores revision %}``): the body cut into segments, each with
what it is, who declared it, how the classifiers scored it, and whether it is flagged."""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from disclosure.blocks import BlockSyntaxError, parse_body

from ..classifiers.registry import configured_classifiers
from ..models import Revision
from ..policy.evidence import FLAG_THRESHOLD, passage_flagged, post_flagged


@dataclass
class ReportSegment:
    """One stretch of the body with one set of attributes: what it is, who declared it, how it scored."""

    start: int
    end: int
    text: str
    #: A passage kind (``author``, ``declared_ai``, ``quote``, ``code``, ``collapsible``) or ``markup``.
    kind: str
    declared: bool = False
    model: str | None = None
    #: Mean of the text-reading classifiers that scored this stretch; None when none did.
    probability: float | None = None
    flagged: bool = False
    scores: list[tuple[str, float]] = field(default_factory=list)
    features: list[tuple[str, float]] = field(default_factory=list)

    @property
    def bucket(self) -> int:
        """0–9, for a colour scale in CSS (no inline styles under our Content-Security-Policy)."""
        return min(9, int((self.probability or 0) * 10))

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@dataclass
class PassageReport:
    revision: Revision
    segments: list[ReportSegment]
    results: list[dict]
    findings: list[dict]
    flag_threshold: float
    #: The pipeline has not finished with this revision yet.
    pending: bool

    @property
    def scored_segments(self) -> list[ReportSegment]:
        return [s for s in self.segments if s.probability is not None and s.text.strip()]

    @property
    def flagged_count(self) -> int:
        return sum(1 for s in self.segments if s.flagged)

    @property
    def post_flags(self) -> list[dict]:
        """The results that flag the post as a whole only (:func:`~moderation.policy.evidence.post_flagged`)."""
        return [r for r in self.results if r["post_flagged"]]


def _finest_stretches(passage_scores: list[dict]) -> list[tuple[int, int, float, dict]]:
    stretches = []
    for scored in passage_scores or []:
        if scored.get("status", "ok") != "ok" or scored.get("probability") is None:
            continue
        spans = [(s["start"], s["end"], s["probability"], scored.get("features") or {})
                 for s in scored.get("spans") or [] if s.get("probability") is not None and s["end"] > s["start"]]
        stretches += spans or [(scored["start"], scored["end"], scored["probability"], scored.get("features") or {})]
    return stretches


def revision_passage_report(revision: Revision) -> PassageReport:
    """The body cut into segments wherever a passage, a declared AI block or a classifier's scored stretch
    begins or ends; each segment carries its kind, whether it was declared, the classifiers' scores over it
    (their mean is the segment's probability), the top features behind them, and whether it is flagged
    (undeclared prose at or above the flag threshold). Offsets are code points into ``revision.body``."""
    body = revision.body
    results, seen = [], set()
    for result in revision.classifier_results.order_by("classifier", "-id"):  # the newest version of each
        if result.classifier not in seen:
            seen.add(result.classifier)
            results.append(result)
    derived = {c.name for c in configured_classifiers() if c.needs_results} | {"disclosure_consistency"}
    consistency = [r for r in results if r.classifier in derived and r.status == "ok"]
    threshold = next((float(r.details["flag_threshold"]) for r in consistency
                      if (r.details or {}).get("flag_threshold") is not None), FLAG_THRESHOLD)
    try:
        parsed = parse_body(body, revision.format)
        passages, blocks = parsed.passages, parsed.blocks
    except BlockSyntaxError:
        passages, blocks = [], []
    primary = {r.classifier: _finest_stretches(r.passage_scores) for r in results
               if r.classifier not in derived and r.status == "ok"}

    bounds = {0, len(body)}
    for item in [*passages, *blocks]:
        bounds |= {item.start, item.end}
    for stretches in primary.values():
        bounds |= {x for a, b, _, _ in stretches for x in (a, b)}
    bounds = sorted(b for b in bounds if 0 <= b <= len(body))

    # One sweep over the bounds: every start and end is a bound, so whatever started at or before a segment's
    # start and ends after it covers the whole segment. Passages do not overlap; blocks nest (the outermost
    # credits the segment, as before); a classifier's stretches may overlap (windows).
    passages = sorted(passages, key=lambda p: p.start)
    ordered_blocks = sorted(enumerate(blocks), key=lambda kb: kb[1].start)
    streams = {name: sorted(stretches, key=lambda s: s[0]) for name, stretches in primary.items()}
    cursors = dict.fromkeys(streams, 0)
    active: dict[str, list] = {name: [] for name in streams}
    open_blocks: list[tuple[int, int]] = []  # heap of (index in blocks, end)
    p_at = b_at = 0
    segments: list[ReportSegment] = []
    for a, b in zip(bounds, bounds[1:]):
        while p_at < len(passages) and passages[p_at].end <= a:
            p_at += 1
        passage = passages[p_at] if p_at < len(passages) and passages[p_at].start <= a < passages[p_at].end \
            else None
        while b_at < len(ordered_blocks) and ordered_blocks[b_at][1].start <= a:
            heapq.heappush(open_blocks, (ordered_blocks[b_at][0], ordered_blocks[b_at][1].end))
            b_at += 1
        while open_blocks and open_blocks[0][1] <= a:
            heapq.heappop(open_blocks)
        block = blocks[open_blocks[0][0]] if open_blocks else None
        kind = passage.kind if passage else "markup"
        scores, features = [], {}
        for name, stretches in streams.items():
            i = cursors[name]
            while i < len(stretches) and stretches[i][0] <= a:
                active[name].append(stretches[i])
                i += 1
            cursors[name] = i
            covering = active[name] = [s for s in active[name] if s[1] > a]
            if covering:
                scores.append((name, round(sum(p for _, _, p, _ in covering) / len(covering), 4)))
                for _, _, _, f in covering:
                    for key, value in f.items():
                        if isinstance(value, (int, float)) and abs(value) > abs(features.get(key, 0)):
                            features[key] = value
        probability = round(sum(p for _, p in scores) / len(scores), 4) if scores else None
        segment = ReportSegment(
            start=a, end=b, text="", kind=kind, declared=block is not None,
            model=block.model if block else None, probability=probability,
            flagged=probability is not None and probability >= threshold and kind in ("author", "collapsible")
            and block is None,
            scores=sorted(scores, key=lambda s: -s[1]),
            features=sorted(features.items(), key=lambda kv: -abs(kv[1]))[:3],
        )
        previous = segments[-1] if segments else None
        if previous and (previous.kind, previous.declared, previous.model, previous.probability, previous.scores,
                         previous.flagged) == (segment.kind, segment.declared, segment.model, segment.probability,
                                               segment.scores, segment.flagged):
            previous.end = b
        else:
            segments.append(segment)
    for segment in segments:
        segment.text = body[segment.start:segment.end]

    findings = [f for r in consistency for f in (r.details or {}).get("findings") or [] if isinstance(f, dict)]
    return PassageReport(
        revision=revision, segments=segments, findings=findings, flag_threshold=threshold,
        pending=revision.evaluated_at is None,
        results=[{"classifier": r.classifier, "version": r.version, "status": r.status, "score": r.score,
                  "error": r.error, "latency_ms": r.latency_ms,
                  # flagged as a whole (every window AI-like, none at the threshold): no passage is outlined
                  "post_flagged": post_flagged(r) and not passage_flagged([r], ["author"], ignore_post=True),
                  "post_threshold": (r.details or {}).get("post_threshold")} for r in results],
    )
