"""Numbers for the moderators' stats page (the pygal charts that draw them are in ``moderation/charts.py``).

Every query is bounded by the window (default 30 days) or grouped in the database, so the page stays cheap
on a large queue.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from ..models import ClassifierResult, DecisionAction, ReviewItem, ReviewStatus
from ..policy.evidence import flag_threshold, max_passage_score, post_flagged
from .submissions import revisions_decided_under_another_policy

#: Decisions that agree with a flag; an approval overturns it.
UPHOLDING = (DecisionAction.REJECT, DecisionAction.REQUEST_CHANGES, DecisionAction.HIDE)


@dataclass
class ClassifierPrecision:
    classifier: str
    threshold: float
    confirmed: int
    overturned: int
    #: the highest threshold a counted flag was judged at (results carry their own: shipped, the site's, or
    #: its length band's), so the page can show a range
    threshold_max: float | None = None

    @property
    def judged(self) -> int:
        return self.confirmed + self.overturned

    @property
    def precision(self) -> float | None:
        return self.confirmed / self.judged if self.judged else None


def _day_end(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def queue_size_by_day(*, days: int = 30) -> list[tuple[date, int]]:
    """Undecided items at the end of each day (one aggregate query)."""
    today = timezone.localdate()
    day_list = [today - timedelta(days=n) for n in reversed(range(days))]
    aggregates = {}
    for index, day in enumerate(day_list):
        end = _day_end(day)
        aggregates[f"d{index}"] = Count("id", filter=Q(created_at__lte=end) & (
            Q(decided_at__isnull=True) | Q(decided_at__gt=end)))
    counts = ReviewItem.objects.filter(Q(decided_at__isnull=True) | Q(decided_at__gte=_day_end(day_list[0]) -
                                                                     timedelta(days=1))).aggregate(**aggregates)
    return [(day, counts[f"d{index}"]) for index, day in enumerate(day_list)]


def decision_hours_by_day(*, days: int = 30) -> list[tuple[date, float | None]]:
    """Median hours from an item entering the queue to its decision, per day of decision."""
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    per_day: dict[date, list[float]] = {}
    rows = ReviewItem.objects.filter(status=ReviewStatus.DECIDED, decided_at__gte=timezone.make_aware(
        datetime.combine(start, time.min))).values_list("created_at", "decided_at")
    for created, decided in rows.iterator():
        per_day.setdefault(timezone.localdate(decided), []).append((decided - created).total_seconds() / 3600)
    return [(start + timedelta(days=n), round(statistics.median(per_day[start + timedelta(days=n)]), 2)
             if per_day.get(start + timedelta(days=n)) else None) for n in range(days)]


def decisions_by_reason(*, days: int = 30) -> dict[str, dict[str, int]]:
    """reason → decision action → count, for decisions in the window."""
    since = timezone.now() - timedelta(days=days)
    table: dict[str, dict[str, int]] = {}
    rows = ReviewItem.objects.filter(status=ReviewStatus.DECIDED, decided_at__gte=since) \
        .values_list("reasons", "decision_action")
    for reasons, action in rows.iterator():
        for reason in reasons or ["(none)"]:
            table.setdefault(reason, {}).setdefault(action, 0)
            table[reason][action] += 1
    return dict(sorted(table.items(), key=lambda kv: -sum(kv[1].values())))


def classifier_precision(*, threshold: float | None = None) -> list[ClassifierPrecision]:
    """Per classifier: of its flags, how many moderators confirmed vs overturned.

    A result is a flag when its post score or an author passage reaches ``threshold``, by default the
    classifier's own operating point (``details["threshold"]``, as the policy's ``passage_flagged`` reads
    it, with its post rule). A moderator's explicit mark on the result counts; without one, the decision on the revision's
    review item does (reject/request changes/hide confirm, approve overturns)."""
    decided = {}
    for revision_id, action in ReviewItem.objects.filter(status=ReviewStatus.DECIDED, kind="flag") \
            .values_list("revision_id", "decision_action"):
        decided[revision_id] = action
    tallies: dict[str, ClassifierPrecision] = {}
    from ..models import ResultMark

    latest = ResultMark.objects.filter(result=OuterRef("pk")).order_by("-id").values("verdict")[:1]
    results = ClassifierResult.objects.filter(status="ok").annotate(latest_verdict=Subquery(latest)).filter(
        Q(latest_verdict__in=["confirmed", "false_positive"]) | Q(revision_id__in=list(decided)))
    for result in results.only("classifier", "score", "passage_scores", "revision_id",
                               "status", "details").iterator():
        flag_at = threshold if threshold is not None else flag_threshold(result.details)
        top = max([s for s in (result.score, max_passage_score([result], ["author"])) if s is not None],
                  default=None)
        if (top is None or top < flag_at) and not (threshold is None and post_flagged(result)):
            continue
        verdict = result.moderator_verdict
        if not verdict:
            action = decided.get(result.revision_id)
            verdict = "confirmed" if action in UPHOLDING else "false_positive" if action == "approve" else ""
        if not verdict:
            continue
        tally = tallies.setdefault(result.classifier, ClassifierPrecision(result.classifier, flag_at, 0, 0, flag_at))
        tally.threshold, tally.threshold_max = min(tally.threshold, flag_at), max(tally.threshold_max, flag_at)
        if verdict == "confirmed":
            tally.confirmed += 1
        else:
            tally.overturned += 1
    return sorted(tallies.values(), key=lambda t: t.classifier)


def stats_summary(*, days: int = 30) -> dict:
    queue = queue_size_by_day(days=days)
    hours = decision_hours_by_day(days=days)
    reasons = decisions_by_reason(days=days)
    precision = classifier_precision()
    from ..models import SiteThreshold
    # the first chart's numbers, one row a day, for the table beside it (a chart is an image to a screen reader)
    daily = [(day, size, day_hours) for (day, size), (_day, day_hours) in zip(queue, hours)]
    return {"queue": queue, "hours": hours, "daily": daily, "reasons": reasons, "precision": precision,
            "days": days, "decided_under_another_policy": revisions_decided_under_another_policy().count(),
            "site_thresholds": list(SiteThreshold.objects.order_by("classifier", "-created_at"))}
