"""The EU AI Act Art. 50 compliance report: posts by involvement grade, labels required vs shown, review
exemptions, classifier disagreement and moderator overrides, per period and category.

Rows are computed from the current revision of each submission (its disclosure → grade via
``disclosure.grades``) and its stored classifier results; nothing here writes.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from disclosure.grades import GRADE_ORDER

from ..models import ClassifierResult, LabelSource, ResultStatus, Submission
from ..policy.evidence import post_flagged
from ..selectors.labels import submission_label

PERIODS = ("day", "week", "month")
GRADES = (*GRADE_ORDER, "not_disclosed")
#: Grades that declare no AI-written text; a strong classifier signal on such a post is a disagreement.
LOW_GRADES = ("human_only", "ai_supported", "ai_edited_minor", "not_disclosed")
DISAGREE_SCORE = 0.5


@dataclass
class PostRow:
    submission_id: str
    created: datetime
    category: str
    client: str
    grade: str
    eu_variant: str
    label_required: bool
    label_shown: bool
    exempt_by_review: bool
    classifiers_disagree: bool
    moderator_override: bool


def _period_start(day: date, period: str) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def _classifiers_disagree(grade: str, results: list[ClassifierResult]) -> bool:
    if grade not in LOW_GRADES:
        return False
    for result in results:
        if result.status != ResultStatus.OK or result.classifier == "disclosure_consistency":
            continue
        threshold = (result.details or {}).get("threshold", DISAGREE_SCORE)
        if (result.score is not None and result.score >= threshold) or post_flagged(result):
            return True
    return False


def compliance_post_rows(*, start: date, end: date, category: str | None = None) -> Iterator[PostRow]:
    """One row per submission created in [start, end], in creation order (streams; bounded memory)."""
    tz = timezone.get_current_timezone()
    submissions = (
        Submission.objects.filter(created_at__gte=datetime.combine(start, time.min, tz),
                                  created_at__lt=datetime.combine(end + timedelta(days=1), time.min, tz),
                                  current_revision__isnull=False)
        .select_related("current_revision", "client").order_by("created_at", "id")
    )
    if category:
        submissions = submissions.filter(category=category)
    submissions = submissions.prefetch_related(
        Prefetch("current_revision__classifier_results", to_attr="results"))
    for submission in submissions.iterator(chunk_size=500):
        label = submission_label(submission)
        grade = label.grade
        yield PostRow(
            submission_id=str(submission.public_id), created=submission.created_at, category=submission.category,
            client=submission.client.name, grade=grade.grade, eu_variant=grade.eu_variant,
            label_required=grade.label_required, label_shown=label.shows_eu_mark,
            exempt_by_review=label.exempt_by_review,
            classifiers_disagree=_classifiers_disagree(grade.grade, submission.current_revision.results),
            moderator_override=submission.label_source == LabelSource.MODERATOR,
        )


@dataclass
class SummaryRow:
    period: date
    category: str
    by_grade: dict[str, int]
    posts: int = 0
    labels_required: int = 0
    labels_shown: int = 0
    required_not_shown: int = 0
    exempt_by_review: int = 0
    classifiers_disagree: int = 0
    moderator_overrides: int = 0

    CSV_HEADER = ("period", "category", "posts", *GRADES, "labels_required", "labels_shown", "required_not_shown",
                  "exempt_by_review", "classifiers_disagree", "moderator_overrides")

    def as_csv_row(self) -> list:
        return [self.period.isoformat(), self.category, self.posts, *(self.by_grade[g] for g in GRADES),
                self.labels_required, self.labels_shown, self.required_not_shown, self.exempt_by_review,
                self.classifiers_disagree, self.moderator_overrides]


def compliance_summary(*, start: date, end: date, period: str = "week", category: str | None = None
                       ) -> list[SummaryRow]:
    """Counts per (period, category), oldest first."""
    rows: dict[tuple[date, str], SummaryRow] = {}
    for post in compliance_post_rows(start=start, end=end, category=category):
        key = (_period_start(timezone.localdate(post.created), period), post.category)
        row = rows.get(key) or rows.setdefault(key, SummaryRow(key[0], key[1], defaultdict(int)))
        row.posts += 1
        row.by_grade[post.grade] += 1
        row.labels_required += post.label_required
        row.labels_shown += post.label_required and post.label_shown
        row.required_not_shown += post.label_required and not post.label_shown
        row.exempt_by_review += post.exempt_by_review
        row.classifiers_disagree += post.classifiers_disagree
        row.moderator_overrides += post.moderator_override
    return [rows[key] for key in sorted(rows)]
