"""A forum's own flag threshold (``manage.py calibrate_detector``), and the verdict on a scored text.

The built-in detector ships with a threshold chosen so that at most 1% of the human texts *we* had were
flagged. A forum's own writing may score higher or lower than those, so a forum can calibrate on its own
posts from before LLMs were common (assumed human): :func:`site_threshold_calibrate` scores them and stores
the smallest threshold at which at most the chosen share of them would have been flagged. Results
classified afterwards carry it as ``details["threshold"]`` (:func:`site_thresholds_apply`), which is what
the policy's ``passage_flagged``, ``score_texts``' ``flagged`` and the stats page read.

A post is flagged when any one of its passages reaches the threshold, so with one threshold a long post
(many scored windows) is flagged more often than a one-paragraph post by the same kind of writer: version
8's cheap stage flags 0.5% of its held-out one-window human documents and 2.8% of longer ones. Every
calibration reports the forum's old posts flagged per length band (:data:`LENGTH_BANDS`), and
``--by-length`` stores one threshold per band instead, so that at most the chosen share of the forum's
posts *of each length* is flagged (:func:`_by_length`).

A classifier with a post rule (detector version 9's cheap stage: a post of two or more windows whose post score
reaches ``details["post_threshold"]``) gets a site post threshold too, set just above every old post the window
rule leaves unflagged, so it adds no flag to the calibration's counts; with fewer than ``min_posts`` such old
posts, none (only the window rule flags).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from django.utils import timezone

from disclosure.blocks import BlockSyntaxError, parse_body

from ..classifiers.base import Classifier, ClassifierOutput
from ..detector.api import flagged_rule, post_threshold_for
from ..detector.windows import LENGTH_BANDS, length_band
from ..models import Revision, SiteThreshold

AUTHOR_KINDS = ["author"]


class CalibrationError(Exception):
    """Too few scorable posts to calibrate on (the message says how many)."""


@dataclass(frozen=True)
class SiteRule:
    """One classifier version's site threshold, and (``--by-length``) a threshold per length band."""

    threshold: float
    by_length: tuple[tuple[str, float], ...] = ()
    #: the post rule's threshold (``detector.api.flagged_rule``), calibrated so that it flags none of the old
    #: posts the window rule does not; None: the classifier has no post rule
    post_threshold: float | None = None

    def for_windows(self, n_windows: int) -> tuple[float, str | None]:
        """(threshold, band) for a post with ``n_windows`` scored author passages; band None when the
        forum's one threshold applies (not calibrated by length)."""
        band = length_band(n_windows)
        for name, threshold in self.by_length:
            if name == band:
                return threshold, band
        return self.threshold, None

    def values(self) -> list[float]:
        return [self.threshold, *(t for _band, t in self.by_length)]


def site_thresholds() -> dict[tuple[str, str], SiteRule]:
    """{(classifier, version): rule} of every stored calibration."""
    return {(r.classifier, r.version): SiteRule(r.threshold, tuple((b["band"], b["threshold"]) for b in r.by_length
                                                                   if b.get("threshold") is not None),
                                                r.post_threshold)
            for r in SiteThreshold.objects.only("classifier", "version", "threshold", "by_length", "post_threshold")}


def site_threshold_values(thresholds: dict[tuple[str, str], SiteRule]) -> list[float]:
    """Every threshold a passage may be compared with (for the evidence bar: the highest of them)."""
    return [t for rule in thresholds.values() for t in rule.values()]


def one_window_threshold(details: dict) -> float | None:
    """The classifier's own threshold for a post of one window: what a calibration reports as the shipped one,
    whatever the length of the forum's old posts. A classifier with thresholds by length reports it beside its
    band's (the built-in detector from version 10); one without reports a single threshold."""
    if "threshold_length_band" in details:
        return details.get("one_window_threshold")
    return details.get("threshold")


def author_probabilities(output: ClassifierOutput) -> list[float]:
    """The probabilities of the output's scored author passages: the post's length in windows, and what a
    threshold is compared with."""
    return [p.probability for p in output.passages
            if p.kind in AUTHOR_KINDS and p.status == "ok" and p.probability is not None]


def site_thresholds_apply(outputs: Iterable[ClassifierOutput],
                          thresholds: dict[tuple[str, str], SiteRule]) -> None:
    """Give every output calibrated for this site its site threshold (for its length band, when the forum
    calibrated by length, and its post threshold); the shipped ones are kept beside them."""
    for output in outputs:
        rule = thresholds.get((output.classifier, str(output.version)))
        if rule is None or output.status != "ok":
            continue
        threshold, band = rule.for_windows(len(author_probabilities(output)))
        shipped_band = output.details.get("threshold_length_band")
        shipped_one = output.details.get("one_window_threshold")
        details = {k: v for k, v in output.details.items() if k not in ("threshold_length_band",
                                                                         "one_window_threshold")}
        output.details = {**details, "shipped_threshold": output.details.get("threshold"),
                          **({"shipped_threshold_length_band": shipped_band} if shipped_band else {}),
                          **({"shipped_one_window_threshold": shipped_one} if shipped_one is not None else {}),
                          "threshold": threshold, "threshold_source": "site",
                          "shipped_post_threshold": output.details.get("post_threshold"),
                          # only where this result has a post rule of its own (the statistical classifier has
                          # one only when the LM stage is missing and it is the cheap stage)
                          "post_threshold": (rule.post_threshold if output.details.get("post_threshold") is not None
                                             else None),
                          **({"threshold_length_band": band} if band else {})}


def outputs_verdict(outputs: Sequence[ClassifierOutput], kinds: Sequence[str] = AUTHOR_KINDS) -> tuple[bool, str]:
    """(flagged, verdict) for one text: flagged when some passage of ``kinds`` reaches its classifier's
    threshold, or the post its post threshold (exactly the policy's ``passage_flagged``); the verdict is ``flag``, ``no_evidence`` (some
    classifier scored the text, none flagged it) or ``insufficient_evidence`` (none could score it)."""
    from ..policy.evidence import passage_flagged

    rows = [SimpleNamespace(classifier=o.classifier, status=o.status, details=o.details, score=o.score,
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
    #: the site's post threshold (None: the classifier has no post rule)
    post_threshold: float | None
    #: the classifier has a post rule, but fewer than ``min_posts`` old posts of two or more windows: none is set
    post_rule_dropped: bool
    scored: int
    flagged: int
    flagged_shipped: int | None
    skipped: int
    #: per length band: {"band", "posts", "threshold" (the band's, calibrating by length; else None: the
    #: forum's one threshold applies), "own" (calibrated on the band's own posts), "flagged" (at the threshold
    #: that applies to the band), "flagged_shipped"}; what the stats page shows
    by_length: list[dict]


def _by_length(posts: list[tuple[int, float, float]], *, threshold: float, shipped: SiteRule | None,
               rate: float, min_posts: int | None) -> list[dict]:
    """Each length band's old posts flagged at the forum's one threshold or, calibrating by length
    (``min_posts``), at the band's threshold: its own (``own``), the smallest that flags at most ``rate`` of
    its posts, for a band with at least ``min_posts`` of them; for a band with fewer (or none), the highest of
    the forum's threshold, the shorter bands' thresholds and the classifier's own shipped threshold for the band
    (detector version 10 ships one per length), so that a longer post never meets a lower bar than a shorter one,
    or than it would with no calibration, only because the forum has few long posts."""
    out = []
    floor = threshold
    for low, _high in LENGTH_BANDS:
        band = length_band(low)
        in_band = [post for post in posts if length_band(post[0]) == band]
        tops = [top for _n, top, _p in in_band]
        if min_posts is None:  # one threshold for all lengths: report the bands the forum has posts in
            if not tops:
                continue
            own, stored, applied = False, None, threshold
        else:
            own = len(tops) >= min_posts
            shipped_band = dict(shipped.by_length).get(band) if shipped else None
            stored = applied = threshold_for_rate(tops, rate) if own else max(floor, shipped_band or 0.0)
            floor = max(floor, applied)
        out.append({"band": band, "posts": len(tops), "threshold": stored, "own": own,
                    "flagged": sum(t >= applied for t in tops),
                    "flagged_shipped": sum(_flags(shipped, *post) for post in in_band) if shipped else None})
    return out


def _shipped_bands(posts, thresholds, one: float, listed: list | None = None) -> tuple[tuple[str, float], ...]:
    """The shipped thresholds by length band: every band the classifier lists (``listed``: the built-in
    detector's ``thresholds_by_length``, so a length the forum's old posts lack still keeps its shipped
    floor), else as it reported them for the old posts (version 10: an artifact's band thresholds; earlier
    ones report one threshold for every length)."""
    bands = {band: float(t) for band, t in listed or []}
    for (n_windows, _top, _post), threshold in zip(posts, thresholds):
        band = length_band(n_windows)
        if threshold is not None and threshold != one and band:
            bands[band] = threshold
    return tuple(sorted(bands.items()))


def _flags(rule: SiteRule, n_windows: int, top: float, post: float | None) -> bool:
    """Whether ``rule`` flags a post of ``n_windows`` scored author windows, the most AI-like ``top``, post
    score ``post``: as ``detect()`` and the policy's ``passage_flagged`` do."""
    return flagged_rule(top, post if post is not None else 0.0, n_windows, rule.for_windows(n_windows)[0],
                        rule.post_threshold) is not None


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
                             min_posts: int = 100, by_length: bool = False, limit: int | None = None,
                             store: bool = True, progress: Callable[[int], None] | None = None) -> Calibration:
    """Score the forum's posts from before ``before`` with ``classifier`` and (``store``) save the site
    threshold for ``false_flag_rate``; with ``by_length``, also one for each length band (:func:`_by_length`).
    Raises :class:`CalibrationError` when fewer than ``min_posts`` posts could be scored, or for settings that
    could only store a meaningless threshold: ``min_posts`` or ``limit`` under 1 (zero posts gave a threshold
    of 0.0, which flags every post), ``before`` in the future (today's posts are not known to be human)."""
    if not 0 < false_flag_rate < 1:
        raise ValueError("false_flag_rate must be between 0 and 1")
    if min_posts < 1:
        raise CalibrationError("min_posts must be at least 1: a threshold needs posts to be read from")
    if limit is not None and limit < 1:
        raise CalibrationError("limit must be at least 1")
    if before > timezone.now():
        raise CalibrationError(f"{before:%Y-%m-%d} is in the future: the posts read as human must be old ones, "
                               "from before LLM text was common")
    posts: list[tuple[int, float, float]] = []  # (scored author windows, the most AI-like one, the post score)
    shipped: float | None = None
    shipped_post: float | None = None
    shipped_by_post: list[float] = []  # each post's shipped window threshold (version 10: its length band's)
    shipped_bands: list | None = None  # every band's, when the classifier lists them
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
        probabilities = author_probabilities(output)
        if output.status != "ok" or not probabilities:
            skipped += 1
            continue
        shipped = one_window_threshold(output.details) or shipped
        shipped_post = output.details.get("post_threshold", shipped_post)
        shipped_by_post.append(output.details.get("threshold"))
        shipped_bands = output.details.get("thresholds_by_length") or shipped_bands
        posts.append((len(probabilities), max(probabilities), output.score))
    tops = [top for _n, top, _p in posts]
    if len(tops) < min_posts:
        raise CalibrationError(f"only {len(tops)} post(s) from before {before:%Y-%m-%d} could be scored "
                               f"({skipped} could not); at least {min_posts} are needed")
    threshold = threshold_for_rate(tops, false_flag_rate)
    flagged = sum(t >= threshold for t in tops)
    shipped = shipped if shipped is not None else min(filter(None, shipped_by_post), default=None)
    shipped_rule = SiteRule(shipped, _shipped_bands(posts, shipped_by_post, shipped, shipped_bands),
                            post_threshold=shipped_post) if shipped is not None else None
    flagged_shipped = sum(_flags(shipped_rule, *post) for post in posts) if shipped_rule else None
    bands = _by_length(posts, threshold=threshold, shipped=shipped_rule, rate=false_flag_rate,
                       min_posts=min_posts if by_length else None)
    if by_length:
        flagged = sum(b["flagged"] for b in bands)
    # the post rule only where the classifier has one: set above every old post the window rule leaves
    # unflagged, so it adds no flag to the counts above; none (as in training) with fewer than ``min_posts``
    # old posts of two or more windows, whose highest score would be too low an estimate
    site = SiteRule(threshold, tuple((b["band"], b["threshold"]) for b in bands if b["threshold"] is not None))
    post_threshold = None
    if shipped_post is not None:
        post_threshold = post_threshold_for(posts, lambda n: site.for_windows(n)[0], min_documents=min_posts)
    row = None
    if store:
        row, _ = SiteThreshold.objects.update_or_create(
            classifier=classifier.name, version=str(classifier.version),
            defaults=dict(threshold=threshold, shipped_threshold=shipped, post_threshold=post_threshold,
                          false_flag_rate=false_flag_rate,
                          posts_before=before, posts_scored=len(tops), posts_flagged=flagged,
                          posts_flagged_shipped=flagged_shipped, by_length=bands))
    return Calibration(row, threshold, shipped, post_threshold, shipped_post is not None and post_threshold is None,
                       len(tops), flagged, flagged_shipped, skipped, bands)
