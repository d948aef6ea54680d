"""The classifier log, read side: the result standing for each classifier version of a revision, and the
whole log with each row's latest moderator mark. Written by ``moderation/services/classifier_log.py``."""
from __future__ import annotations

from django.db.models import OuterRef, Subquery

from ..models import ClassifierResult, ResultMark, ResultStatus, Revision

#: Rows that stand for a classifier version on a revision (an ``error`` is retried; these are not).
USABLE = (ResultStatus.OK, ResultStatus.INSUFFICIENT_EVIDENCE, ResultStatus.SKIPPED)


def results_current(revision: Revision, wanted: set[tuple[str, str]] | None = None) -> list[ClassifierResult]:
    """Per (classifier, version): the newest usable row, else the newest error; ordered by classifier."""
    chosen: dict[tuple[str, str], ClassifierResult] = {}
    for result in sorted(revision.classifier_results.all(), key=lambda r: -r.pk):  # uses a prefetch when made
        key = (result.classifier, result.version)
        if wanted is not None and key not in wanted:
            continue
        previous = chosen.get(key)
        if previous is None or (previous.status == ResultStatus.ERROR and result.status in USABLE):
            chosen[key] = result
    return sorted(chosen.values(), key=lambda r: (r.classifier, r.pk))


def results_with_verdicts(revision: Revision):
    """Every row of the revision's log, oldest first per classifier, each with ``moderator_verdict`` read in
    the same query (the item page lists them all beside the mark buttons)."""
    latest = ResultMark.objects.filter(result=OuterRef("pk")).order_by("-id").values("verdict")[:1]
    return revision.classifier_results.annotate(latest_verdict=Subquery(latest)).order_by("classifier", "version",
                                                                                         "id")
