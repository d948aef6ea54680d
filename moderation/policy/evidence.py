"""Reading classifier results: the evidence the rules, the stats page and the passage report share.

One flag threshold: a passage (or post) is *flagged* when its probability reaches the threshold its own
classifier reports in ``details["threshold"]`` (the operating point it was calibrated for), else
:data:`FLAG_THRESHOLD`. Everything that says "flagged" reads it through :func:`flag_threshold`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..models import ClassifierResult

#: Findings a consistency classifier may report in ``details`` (any other string is accepted too).
KNOWN_FINDINGS = ("undisclosed_ai_passages", "declared_share_understated", "human_only_contradicted")

#: The flag threshold of a classifier that reports none in ``details["threshold"]``.
FLAG_THRESHOLD = 0.8


def flag_threshold(details: Mapping[str, Any] | None, *, key: str = "threshold") -> float:
    """The threshold a result's ``details`` report under ``key``, else :data:`FLAG_THRESHOLD`."""
    value = (details or {}).get(key)
    return FLAG_THRESHOLD if value is None else value


def mean_flag_threshold(reported: Iterable[float]) -> float:
    """The mean of several classifiers' thresholds (rounded to 4 digits); :data:`FLAG_THRESHOLD` if none."""
    values = list(reported)
    return round(sum(values) / len(values), 4) if values else FLAG_THRESHOLD


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


def post_flagged(result: ClassifierResult, kinds: list[str] | tuple[str, ...] = ("author",)) -> bool:
    """The second flag route (built-in detector version 9): the post's score (its author windows' averaged
    log-odds) reaches the classifier's ``details["post_threshold"]`` and at least two author passages were
    scored. One long text consistently AI-like in every window, none quite at the window threshold, carries
    more evidence than any one window; the post threshold is set just above the highest score of the human
    documents of two or more windows (training, out-of-fold; or the forum's old posts) that the window rule
    leaves unflagged."""
    post_threshold = (result.details or {}).get("post_threshold")
    if post_threshold is None or "author" not in kinds or result.status != "ok" or result.score is None:
        return False
    # the rule itself lives with the detector; imported here so that a forum whose classifiers report no post
    # threshold never loads it
    from ..detector.api import post_rule_holds

    scored = [p for p in result.passage_scores or []
              if p.get("kind", "author") == "author" and p.get("status", "ok") == "ok"
              and p.get("probability") is not None]
    return post_rule_holds(result.score, len(scored), post_threshold)


def passage_flagged(results: list[ClassifierResult], kinds: list[str], classifier: str | None = None, *,
                    ignore_post: bool = False) -> bool:
    """Whether some ``ok`` passage of the given kinds reaches its own classifier's operating threshold, or
    the post as a whole reaches the classifier's post threshold (:func:`post_flagged`; ``ignore_post``: the
    passages only).

    Each classifier reports the threshold it was calibrated for (the built-in detector: at most 1% of human
    texts flagged); a fixed number in a rule would flag more people than the classifier's author intended.
    """
    for result in results:
        if (classifier and result.classifier != classifier) or result.status != "ok":
            continue
        threshold = flag_threshold(result.details)
        for passage in result.passage_scores or []:
            probability = passage.get("probability")
            if probability is not None and passage.get("status", "ok") == "ok" and \
                    passage.get("kind", "author") in kinds and probability >= threshold:
                return True
        if not ignore_post and post_flagged(result, kinds):
            return True
    return False
