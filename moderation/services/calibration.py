"""A forum's own flag threshold (``manage.py calibrate_detector``), and the verdict on a scored text.

The built-in detector ships with a threshold chosen so that at most 1% of the human texts *we* had were
flagged. A forum's own writing may score higher or lower than those, so a forum can calibrate on its own
posts from before LLMs were common (assumed human): :func:`site_threshold_calibrate` scores them and stores
the smallest threshold at which at most the chosen share of them would have been flagged. Results
classified afterwards carry it as ``details["threshold"]`` (:func:`site_thresholds_apply`), which is what
the policy's ``passage_flagged``, ``score_texts``' ``flagged`` and the stats page read.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from disclosure.blocks import BlockSyntaxError, parse_body

from ..classifiers.base import Classifier, ClassifierOutput
from ..models import Revision, SiteThreshold

AUTHOR_KINDS = ["author"]


class CalibrationError(Exception):
    """Too few scorable posts to calibrate on (the message says how many)."""


def site_thresholds() -> dict[tuple[str, str], float]:
    """{(classifier, version): threshold} of every stored calibration."""
    return {(r.classifier, r.version): r.threshold
            for r in SiteThreshold.objects.only("classifier", "version", "threshold")}


def site_thresholds_apply(outputs: Iterable[ClassifierOutput], thresholds: dict[tuple[str, str], float]) -> None:
    """Give every output calibrated for this site its site threshold (the shipped one is kept beside it)."""
    for output in outputs:
        threshold = thresholds.get((output.classifier, str(output.version)))
        if threshold is not None and output.status == "ok":
            output.details = {**output.details, "shipped_threshold": output.details.get("threshold"),
                              "threshold": threshold, "threshold_source": "site"}


def outputs_verdict(outputs: Sequence[ClassifierOutput], kinds: Sequence[str] = AUTHOR_KINDS) -> tuple[bool, str]:
    """(flagged, verdict) for one text: flagged when some passage of ``kinds`` reaches its classifier's
    threshold (exactly the policy's ``passage_flagged``); the verdict is ``flag``, ``no_evidence`` (some
    classifier scored the text, none flagged it) or ``insufficient_evidence`` (none could score it)."""
    from ..policy.evidence import passage_flagged

    rows = [SimpleNamespace(classifier=o.classifier, status=o.status, details=o.details,
                            passage_scores=[p.model_dump(mode="json") if hasattr(p, "model_dump") else p
                                            for p in o.passages]) for o in outputs]
    if passage_flagged(rows, list(kinds)):
        return True, "flag"
    if any(o.status == "ok" and o.score is not None for o in outputs):
        return False, "no_evidence"
    return False, "insufficient_evidence"


def threshold_for_rate(top_scores: Sequence[float], false_flag_rate: float) -> float:
    """The smallest threshold at which at most ``false_flag_rate`` of the texts (each represented by its
    most AI-like passage) reach it."""
    ranked = sorted(top_scores, reverse=True)
    allowed = int(math.floor(false_flag_rate * len(ranked) + 1e-9))
    if allowed >= len(ranked):
        return 0.0
    return min(1.0, math.nextafter(ranked[allowed], math.inf))


@dataclass
class Calibration:
    row: SiteThreshold | None
    threshold: float
    shipped_threshold: float | None
    scored: int
    flagged: int
    flagged_shipped: int | None
    skipped: int


def _posts_before(before: datetime, limit: int | None):
    """(body, format) of each submission's newest revision written before ``before``, oldest posts first."""
    last = None
    rows = (Revision.objects.filter(submission__created_at__lt=before, created_at__lt=before)
            .order_by("submission__created_at", "submission_id", "-number")
            .values_list("submission_id", "body", "format"))
    count = 0
    for submission_id, body, fmt in rows.iterator():
        if submission_id == last:
            continue
        last = submission_id
        yield body, fmt
        count += 1
        if limit is not None and count >= limit:
            return


def site_threshold_calibrate(*, classifier: Classifier, before: datetime, false_flag_rate: float = 0.01,
                             min_posts: int = 100, limit: int | None = None, store: bool = True,
                             progress: Callable[[int], None] | None = None) -> Calibration:
    """Score the forum's posts from before ``before`` with ``classifier`` and (``store``) save the site
    threshold for ``false_flag_rate``. Raises :class:`CalibrationError` when fewer than ``min_posts``
    posts could be scored."""
    if not 0 < false_flag_rate < 1:
        raise ValueError("false_flag_rate must be between 0 and 1")
    tops: list[float] = []
    shipped: float | None = None
    skipped = 0
    for i, (body, fmt) in enumerate(_posts_before(before, limit), start=1):
        if progress:
            progress(i)
        try:
            passages = parse_body(body, fmt).passages
        except BlockSyntaxError:
            skipped += 1
            continue
        output = classifier.run(passages, None)
        probabilities = [p.probability for p in output.passages
                         if p.kind in AUTHOR_KINDS and p.status == "ok" and p.probability is not None]
        if output.status != "ok" or not probabilities:
            skipped += 1
            continue
        shipped = output.details.get("threshold", shipped)
        tops.append(max(probabilities))
    if len(tops) < min_posts:
        raise CalibrationError(f"only {len(tops)} post(s) from before {before:%Y-%m-%d} could be scored "
                               f"({skipped} could not); at least {min_posts} are needed")
    threshold = threshold_for_rate(tops, false_flag_rate)
    flagged = sum(t >= threshold for t in tops)
    flagged_shipped = sum(t >= shipped for t in tops) if shipped is not None else None
    row = None
    if store:
        row, _ = SiteThreshold.objects.update_or_create(
            classifier=classifier.name, version=str(classifier.version),
            defaults=dict(threshold=threshold, shipped_threshold=shipped, false_flag_rate=false_flag_rate,
                          posts_before=before, posts_scored=len(tops), posts_flagged=flagged,
                          posts_flagged_shipped=flagged_shipped))
    return Calibration(row, threshold, shipped, len(tops), flagged, flagged_shipped, skipped)
