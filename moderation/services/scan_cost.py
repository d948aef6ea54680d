"""The scan-cost policy: which revisions the classifiers read, as data in ``MODERATION["SCAN_COST"]``.

Classifiers cost money (remote detectors are paid per character) and time (the language-model stage). Like
Discourse, which scans low-trust users' first posts and re-scans only edits of some distance, an operator
can say:

- ``scan``: ``"all"`` posts, or ``"new_authors"``: only authors below ``below_standing`` and within their
  first ``first_posts`` posts (counted per author and client, this one included);
- ``rescan_min_edit_distance``: re-scan an edit only when its edit distance (Levenshtein, in characters,
  over title and body) to the last *scanned* revision reaches this; 0 re-scans every edit;
- ``max_scans_per_post``: at most this many scanned revisions per post (None: no limit).

A revision the policy skips is never silent: every configured classifier gets a ``skipped`` row whose
``details["rule"]`` names the rule, with the numbers it looked at. The decision is taken once per revision,
on its first evaluation, and re-evaluations keep it.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..conf import DEFAULTS, app_settings
from ..models import ClassifierResult, ResultStatus, Revision, Submission

STANDINGS = ("new", "regular", "trusted")


class ScanCostPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scan: Literal["all", "new_authors"] = "all"
    below_standing: Literal["regular", "trusted"] = "trusted"
    first_posts: int = Field(default=5, ge=1)
    rescan_min_edit_distance: int = Field(default=0, ge=0)
    max_scans_per_post: int | None = Field(default=None, ge=1)


def scan_cost_policy() -> ScanCostPolicy:
    """The operator's settings over the defaults (validated at start-up by the system checks)."""
    return ScanCostPolicy(**{**DEFAULTS["SCAN_COST"], **(app_settings.SCAN_COST or {})})


def scan_cost_errors() -> list[str]:
    """Problems with ``MODERATION["SCAN_COST"]``, for the system checks."""
    try:
        scan_cost_policy()
    except ValidationError as exc:
        return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    except TypeError as exc:
        return [str(exc)]
    return []


def edit_distance_at_least(a: str, b: str, threshold: int) -> tuple[bool, int]:
    """Whether the Levenshtein distance of ``a`` and ``b`` is at least ``threshold``, and the distance found
    (exact below the threshold, ``threshold`` or more otherwise).

    Only a band of width ``threshold`` around the diagonal is computed, after the common prefix and suffix
    are cut: O((n + m) · threshold), so a long post with a small edit costs little.
    """
    if threshold <= 0:
        return True, 0
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    a, b = a[start:end_a], b[start:end_b]
    if abs(len(a) - len(b)) >= threshold:
        return True, abs(len(a) - len(b))
    if not a or not b:
        return max(len(a), len(b)) >= threshold, max(len(a), len(b))
    big = threshold  # any value >= threshold means "far enough"
    previous = [j if j <= threshold else big for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        low, high = max(1, i - threshold), min(len(b), i + threshold)
        current = [big] * (len(b) + 1)
        current[0] = i if i <= threshold else big
        row_min = current[0] if low == 1 else big
        for j in range(low, high + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            current[j] = min(value, big)
            row_min = min(row_min, current[j])
        if row_min >= threshold:
            return True, threshold
        previous = current
    distance = previous[len(b)]
    return distance >= threshold, distance


def _text(revision: Revision) -> str:
    return f"{revision.title}\n{revision.body}"


def scan_skip_rule(*, revision: Revision) -> tuple[str, dict] | None:
    """The rule that skips scanning ``revision`` and the numbers it looked at, or None to scan it."""
    policy = scan_cost_policy()
    submission = revision.submission
    if policy.scan == "new_authors":
        standing = submission.author_standing if submission.author_standing in STANDINGS else "new"
        if STANDINGS.index(standing) >= STANDINGS.index(policy.below_standing):
            return "author_standing", {"standing": standing, "below_standing": policy.below_standing}
        earlier = Submission.objects.filter(client_id=submission.client_id,
                                            author_external_id=submission.author_external_id,
                                            created_at__lt=submission.created_at).count()
        if earlier + 1 > policy.first_posts:
            return "author_post_count", {"post_number": earlier + 1, "first_posts": policy.first_posts}
    scanned_ids = set(ClassifierResult.objects.filter(revision__submission_id=submission.pk).exclude(
        status=ResultStatus.SKIPPED).exclude(revision_id=revision.pk).values_list("revision_id", flat=True))
    if not scanned_ids:
        return None
    if policy.max_scans_per_post is not None and len(scanned_ids) >= policy.max_scans_per_post:
        return "max_scans_per_post", {"scans": len(scanned_ids), "max_scans_per_post": policy.max_scans_per_post}
    if policy.rescan_min_edit_distance > 0:
        last = Revision.objects.filter(pk__in=scanned_ids, number__lt=revision.number).order_by("-number").first()
        if last is not None:
            far, distance = edit_distance_at_least(_text(last), _text(revision), policy.rescan_min_edit_distance)
            if not far:
                return "edit_distance_below_threshold", {
                    "edit_distance": distance, "rescan_min_edit_distance": policy.rescan_min_edit_distance,
                    "last_scanned_revision": last.number}
    return None


def revision_scan_skipped(*, revision: Revision, classifiers: Sequence) -> bool:
    """True when the classifiers do not read this revision; on the first evaluation that skips, stores one
    ``skipped`` row per configured classifier naming the rule. Re-evaluations keep the first decision."""
    from ..classifiers.base import ClassifierOutput
    from .classifier_log import classifier_result_store

    statuses = set(revision.classifier_results.values_list("status", flat=True))
    if statuses:
        return statuses == {ResultStatus.SKIPPED}
    skipped = scan_skip_rule(revision=revision)
    if skipped is None:
        return False
    rule, numbers = skipped
    for classifier in classifiers:
        classifier_result_store(revision=revision, output=ClassifierOutput(
            classifier=classifier.name, version=str(classifier.version), status="skipped",
            details={"rule": rule, "scan_cost": numbers}))
    return True
