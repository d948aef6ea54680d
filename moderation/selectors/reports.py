"""Reader reports, read side: a reporter's accuracy, the reports behind a review item, reports per week.

Accuracy is upheld / decided reports with a prior (``MODERATION["REPORTS"]``: ``prior_upheld`` upheld out of
``prior_upheld + prior_not_upheld``), so a new reporter starts at the prior's mean and one report does not
swing it to 0 or 1. The write side is ``moderation/services/reports.py``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from ..conf import DEFAULTS, app_settings
from ..models import ApiClient, ReaderReport, ReportOutcome, ReviewItem


def reports_config() -> dict:
    return {**DEFAULTS["REPORTS"], **(app_settings.REPORTS or {})}


@dataclass(frozen=True)
class ReporterAccuracy:
    upheld: int
    decided: int
    #: (upheld + prior upheld) / (decided + prior total): a new reporter starts at the prior's mean.
    accuracy: float

    def as_dict(self) -> dict:
        return {"upheld": self.upheld, "decided": self.decided, "accuracy": round(self.accuracy, 3)}


def reporter_accuracy(*, client: ApiClient, reporter_external_id: str) -> ReporterAccuracy:
    config = reports_config()
    counts = ReaderReport.objects.filter(client=client, reporter_external_id=reporter_external_id).aggregate(
        upheld=Count("pk", filter=Q(outcome=ReportOutcome.UPHELD)),
        decided=Count("pk", filter=~Q(outcome=ReportOutcome.PENDING)))
    prior_up, prior_not = float(config["prior_upheld"]), float(config["prior_not_upheld"])
    accuracy = (counts["upheld"] + prior_up) / (counts["decided"] + prior_up + prior_not)
    return ReporterAccuracy(counts["upheld"], counts["decided"], accuracy)



@dataclass
class ReportRow:
    report: ReaderReport
    accuracy: ReporterAccuracy


def reports_for_item(item: ReviewItem) -> list[ReportRow]:
    """The reports behind a review item (its submission's, newest first) with each reporter's accuracy now."""
    reports = list(ReaderReport.objects.filter(submission_id=item.submission_id).select_related(
        "client", "revision").order_by("-created_at", "-id"))
    cache: dict[tuple[int, str], ReporterAccuracy] = {}
    rows = []
    for report in reports:
        key = (report.client_id, report.reporter_external_id)
        if key not in cache:
            cache[key] = reporter_accuracy(client=report.client, reporter_external_id=report.reporter_external_id)
        rows.append(ReportRow(report, cache[key]))
    return rows


def reports_weekly(*, weeks: int = 12) -> list[dict]:
    """Reports per week (by when they were filed) and the share of decided ones that were upheld."""
    since = timezone.now() - timedelta(weeks=weeks)
    rows = ReaderReport.objects.filter(created_at__gte=since).annotate(week=TruncWeek("created_at")).values(
        "week").annotate(reports=Count("pk"), upheld=Count("pk", filter=Q(outcome=ReportOutcome.UPHELD)),
                         decided=Count("pk", filter=~Q(outcome=ReportOutcome.PENDING))).order_by("week")
    return [{"week": r["week"].date(), "reports": r["reports"], "decided": r["decided"], "upheld": r["upheld"],
             "share_upheld": round(r["upheld"] / r["decided"], 3) if r["decided"] else None} for r in rows]
