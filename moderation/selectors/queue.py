"""Read side of the moderator queue: listing with filters, sort and keyset pagination, per-reason counts,
the item detail (author history, revision diff) and the audit log.

Pagination is keyset (a cursor holding the last row's sort key), never OFFSET nor COUNT(*) over the table,
so a page costs the same with 100 items or 100k; the only counts are per status and per reason over the
undecided items, one grouped query on the partial index ``review_queue_undecided_reasons``.
"""
from __future__ import annotations

import base64
import difflib
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..conf import app_settings
from ..models import (
    Action, ApiClient, ClassifierResult, DecisionAction, ReviewItem, ReviewStatus, Revision, Submission,
    SubmissionStatus,
)

PAGE_SIZE = 50
#: Rejections for undisclosed AI after which the author history flags a repeat offender.
REPEAT_OFFENDER_REJECTIONS = 2
UNDISCLOSED_REASONS = ("undisclosed_ai_suspected", "undisclosed-ai")
ACTIVE = (ReviewStatus.OPEN, ReviewStatus.CLAIMED)
STATUS_FILTERS = {"active": ACTIVE, "open": (ReviewStatus.OPEN,), "claimed": (ReviewStatus.CLAIMED,),
                  "snoozed": (ReviewStatus.SNOOZED,), "decided": (ReviewStatus.DECIDED,),
                  "undecided": (ReviewStatus.OPEN, ReviewStatus.CLAIMED, ReviewStatus.SNOOZED)}
#: sort name → (field, descending) keys, the last one unique so the cursor is exact. The default view's
#: "priority" and "score" orders match partial indexes on the review items (migration 0003).
SORTS = {
    "priority": [("priority", True), ("created_at", False), ("id", False)],
    "age": [("created_at", False), ("id", False)],
    "newest": [("created_at", True), ("id", True)],
    "score": [("top_score", True), ("priority", True), ("id", False)],
}
#: Keys that may be null; nulls sort last (an unscored item comes after every scored one).
NULLABLE = {"top_score"}


@dataclass
class QueueFilters:
    status: str = "active"
    reason: str = ""
    category: str = ""
    standing: str = ""
    classifier: str = ""
    kind: str = ""
    since: date | None = None
    until: date | None = None
    sort: str = "priority"
    #: "hide": leave out posts the host forum removed itself (through the API, or erased authors'); "only": just
    #: those; "": both. An adapter's own answer (Spirit's delete) is not stored, so it is not filtered.
    removed: str = ""


@dataclass
class QueuePage:
    items: list[ReviewItem]
    next_cursor: str | None
    filters: QueueFilters


def _encode(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str, keys: list[tuple[str, bool]]) -> list[Any] | None:
    """The cursor's values, or None when it is not one of ours (then the first page is shown)."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        return None
    if not isinstance(raw, list) or len(raw) != len(keys):
        return None
    values = []
    for (name, _desc), value in zip(keys, raw):
        if name in ("created_at", "at", "decided_at"):
            value = parse_datetime(value) if isinstance(value, str) else None
            if value is None:
                return None
        elif name in ("id", "priority") and not isinstance(value, int):
            return None
        elif name in NULLABLE and value is not None and not isinstance(value, (int, float)):
            return None
        values.append(value)
    return values


def keyset_after(keys: list[tuple[str, bool]], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in the order ``keys`` (the keyset condition)."""
    condition = Q()
    for index in reversed(range(len(keys))):
        name, desc = keys[index]
        value = values[index]
        beyond = Q(**{f"{name}__{'lt' if desc else 'gt'}": value}) if value is not None else Q(pk__in=[])
        equal = Q(**{name: value}) if value is not None else Q(**{f"{name}__isnull": True})
        if name in NULLABLE and value is not None:
            beyond |= Q(**{f"{name}__isnull": True})  # nulls come last
        step = beyond
        if index < len(keys) - 1:
            step |= equal & condition
        condition = step
    return condition


def keyset_order(keys: list[tuple[str, bool]]) -> list:
    return [(F(n).desc(nulls_last=True) if d else F(n).asc(nulls_last=True)) if n in NULLABLE
            else f"-{n}" if d else n for n, d in keys]


def keyset_page(queryset: QuerySet, keys: list[tuple[str, bool]], cursor: str | None,
                size: int = PAGE_SIZE) -> tuple[list, str | None]:
    """One page of ``queryset`` in ``keys`` order after ``cursor``, and the cursor of the next page."""
    if cursor:
        values = _decode(cursor, keys)
        if values is not None:
            queryset = queryset.filter(keyset_after(keys, values))
    queryset = queryset.order_by(*keyset_order(keys))
    rows = list(queryset[:size + 1])
    if len(rows) <= size:
        return rows, None
    rows = rows[:size]
    last = rows[-1]
    return rows, _encode([getattr(last, n) for n, _ in keys])


def _reason_q(reason: str) -> Q:
    if connection.vendor == "postgresql":
        return Q(reasons__contains=[reason])  # jsonb @>
    return Q(reasons__icontains=json.dumps(reason))


def _day_bounds(day: date, *, end: bool) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def queue_queryset(filters: QueueFilters) -> QuerySet[ReviewItem]:
    items = ReviewItem.objects.filter(status__in=STATUS_FILTERS.get(filters.status, ACTIVE))
    if filters.reason:
        items = items.filter(_reason_q(filters.reason))
    if filters.category:
        items = items.filter(submission__category=filters.category)
    if filters.standing:
        items = items.filter(submission__author_standing=filters.standing)
    if filters.kind:
        items = items.filter(kind=filters.kind)
    if filters.classifier:
        items = items.filter(Exists(ClassifierResult.objects.filter(
            revision=OuterRef("revision"), classifier=filters.classifier).exclude(status="insufficient_evidence")))
    if filters.since:
        items = items.filter(created_at__gte=_day_bounds(filters.since, end=False))
    if filters.until:
        items = items.filter(created_at__lte=_day_bounds(filters.until, end=True))
    if filters.removed in ("hide", "only"):
        items = items.filter(submission__host_removed_at__isnull=filters.removed == "hide")
    return items


def queue_page(filters: QueueFilters, *, cursor: str | None = None, size: int = PAGE_SIZE) -> QueuePage:
    """One page of the queue: two queries however large the queue (the items with their submission, revision
    and claimer; the repeat offenders among their authors, set as ``item.repeat_offender``)."""
    keys = SORTS.get(filters.sort, SORTS["priority"])
    queryset = queue_queryset(filters).select_related("submission", "revision", "claimed_by")
    items, next_cursor = keyset_page(queryset, keys, cursor, size)
    offenders = repeat_offenders([i.submission for i in items])
    for item in items:
        item.repeat_offender = (item.submission.client_id, item.submission.author_external_id) in offenders
    return QueuePage(items=items, next_cursor=next_cursor, filters=filters)


def queue_row(item_id: int) -> ReviewItem:
    """One item as a queue row shows it (after a row action, the row is drawn again)."""
    item = ReviewItem.objects.select_related("submission", "revision", "claimed_by").get(pk=item_id)
    item.repeat_offender = (item.submission.client_id, item.submission.author_external_id) in repeat_offenders(
        [item.submission])
    return item


def _undisclosed_rejections() -> QuerySet[ReviewItem]:
    """Rejections for undisclosed AI that still stand: not on a post approved since (an appeal upheld, a fixed
    edit approved). Counted per post, so a denied appeal is not a second offence."""
    return ReviewItem.objects.filter(status=ReviewStatus.DECIDED, decision_action=DecisionAction.REJECT).filter(
        Q(decision_reason__in=UNDISCLOSED_REASONS) | _reason_q(UNDISCLOSED_REASONS[0])).exclude(
        submission__status=SubmissionStatus.APPROVED)


def repeat_offenders(submissions: list[Submission]) -> frozenset:
    """Which of these submissions' authors were rejected for undisclosed AI several times (one query)."""
    authors = {s.author_external_id for s in submissions}
    if not authors:
        return frozenset()
    rows = _undisclosed_rejections().filter(submission__author_external_id__in=authors) \
        .values_list("submission__client_id", "submission__author_external_id") \
        .annotate(n=Count("submission", distinct=True))
    return frozenset((client, author) for client, author, n in rows if n >= REPEAT_OFFENDER_REJECTIONS)


def queue_counts(*, status: str = "active") -> dict[str, Any]:
    """Items per status (undecided only) and per reason within ``status``, from one grouped query.

    The undecided items are grouped by ``(status, reasons)``: a few dozen groups however long the queue,
    read by an index-only scan of the partial index ``review_queue_undecided_reasons`` (migration 0010), and
    the reason lists are unnested here. Grouping in SQL by each reason instead (``jsonb_array_elements``)
    read and hashed every undecided row's reasons: the page's largest query at 20k open items. An item
    counts once for each reason it holds; the reasons are listed most frequent first, then by code.
    """
    groups = (ReviewItem.objects.filter(status__in=STATUS_FILTERS["undecided"]).order_by()
              .values_list("status", "reasons").annotate(n=Count("*")))
    statuses = set(STATUS_FILTERS.get(status, ACTIVE))
    by_status: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    for item_status, reasons, n in groups:
        by_status[item_status] = by_status.get(item_status, 0) + n
        if item_status in statuses:
            for reason in reasons or []:
                by_reason[str(reason)] = by_reason.get(str(reason), 0) + n
    by_reason = dict(sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0])))
    return {"by_status": by_status, "by_reason": by_reason}


def queue_neighbours(item: ReviewItem) -> tuple[ReviewItem | None, ReviewItem | None]:
    """The previous and next active items in priority order, for j/k on the detail page."""
    keys = SORTS["priority"]
    values = [item.priority, item.created_at, item.pk]
    active = ReviewItem.objects.filter(status__in=ACTIVE).exclude(pk=item.pk).only("public_id")
    following = active.filter(keyset_after(keys, values)).order_by("-priority", "created_at", "id").first()
    reverse = [(n, not d) for n, d in keys]
    preceding = active.filter(keyset_after(reverse, values)).order_by("priority", "-created_at", "-id").first()
    return preceding, following


def _own_author_id(user) -> str | None:
    """``user``'s author id in this forum when their own posts are not theirs to decide (a conflict of interest),
    or None: ``MODERATION["DECIDE_OWN_POSTS"]`` is on, as a forum with a single moderator needs."""
    if app_settings.DECIDE_OWN_POSTS or user is None or not user.is_authenticated:
        return None
    return app_settings.adapter.author_external_id(user)


def own_posts(user) -> Q:
    """The review items of posts ``user`` wrote in this forum that they may not decide (none if they may)."""
    author_id = _own_author_id(user)
    return Q(pk__in=[]) if author_id is None else Q(submission__client__name=ApiClient.LOCAL_NAME,
                                                    submission__author_external_id=author_id)


def own_post_ids(items, user) -> set[int]:
    """Which of ``items`` (a page of queue rows) are reviews of ``user``'s own posts, in one query."""
    if _own_author_id(user) is None or not items:
        return set()
    return set(ReviewItem.objects.filter(own_posts(user), pk__in=[item.pk for item in items])
               .values_list("pk", flat=True))


def is_own_post(item: ReviewItem, user) -> bool:
    """:func:`own_posts` for one item, read from the item's submission and client as loaded."""
    author_id = _own_author_id(user)
    return author_id is not None and item.submission.author_external_id == author_id \
        and item.submission.client.name == ApiClient.LOCAL_NAME


def queue_next_for(item: ReviewItem, user) -> ReviewItem | None:
    """The next item in priority order after ``item`` that ``user`` can act on now (open, or claimed by them; not
    their own post),
    read when they leave ``item``: the page's "Next" link was drawn earlier, and a colleague may have decided
    or claimed that item since, which sent both moderators to the same post."""
    keys = SORTS["priority"]
    actionable = ReviewItem.objects.filter(
        Q(status=ReviewStatus.OPEN) | Q(status=ReviewStatus.CLAIMED, claimed_by_id=user.pk)).exclude(pk=item.pk) \
        .exclude(own_posts(user))
    return (actionable.filter(keyset_after(keys, [item.priority, item.created_at, item.pk]))
            .order_by("-priority", "created_at", "id").only("public_id").first())


# --- The item detail ------------------------------------------------------------------------------

def author_history(submission: Submission, *, limit: int = 20) -> dict[str, Any]:
    """The author's previous decisions (other posts and earlier items on this one) and whether they are a
    repeat offender: several rejections for undisclosed AI."""
    decided = ReviewItem.objects.filter(
        submission__client_id=submission.client_id, submission__author_external_id=submission.author_external_id,
        status=ReviewStatus.DECIDED).select_related("submission__current_revision", "decision_template")
    recent = list(decided.order_by("-decided_at", "-id")[:limit])
    rejections = decided.filter(decision_action=DecisionAction.REJECT)
    undisclosed_count = _undisclosed_rejections().filter(
        submission__client_id=submission.client_id,
        submission__author_external_id=submission.author_external_id).values("submission").distinct().count()
    return {
        "recent": recent,
        "rejections": rejections.count(),
        "undisclosed_rejections": undisclosed_count,
        "repeat_offender": undisclosed_count >= REPEAT_OFFENDER_REJECTIONS,
        "posts": Submission.objects.filter(client_id=submission.client_id,
                                           author_external_id=submission.author_external_id).count(),
    }


def moderator_notes(submission: Submission) -> QuerySet:
    """The moderators' notes on a post, across its items (an appeal's reviewer reads what the first one noted),
    oldest first: audit rows of verb ``note`` (services/review.py ``review_item_note``)."""
    return submission.actions.filter(verb="note").select_related("actor_client").order_by("at", "id")


def revision_diff(revision: Revision) -> list[dict[str, str]] | None:
    """Line diff of the title, body and disclosure against the previous revision, or None for the first."""
    previous = Revision.objects.filter(submission_id=revision.submission_id, number__lt=revision.number) \
        .order_by("-number").first()
    if previous is None:
        return None

    def lines(r: Revision) -> list[str]:
        return [f"# {r.title}", "", *r.body.splitlines(), "", "--- disclosure ---",
                *json.dumps(r.disclosure, indent=2, sort_keys=True).splitlines()]

    out = []
    for line in difflib.unified_diff(lines(previous), lines(revision), f"revision {previous.number}",
                                     f"revision {revision.number}", lineterm="", n=2):
        kind = "meta" if line.startswith(("---", "+++", "@@")) else \
            "add" if line.startswith("+") else "del" if line.startswith("-") else "same"
        out.append({"kind": kind, "text": line})
    return out


# --- The audit log --------------------------------------------------------------------------------

AUDIT_KEYS = [("at", True), ("id", True)]


def audit_page(*, verb: str = "", actor: str = "", submission: str = "", since: date | None = None,
               until: date | None = None, cursor: str | None = None, size: int = PAGE_SIZE):
    actions = Action.objects.select_related("submission__current_revision", "item")
    if verb:
        actions = actions.filter(verb=verb)
    if actor:
        actions = actions.filter(actor_label__iexact=actor.strip())  # "moderator" matched "moderator2" too
    if submission:
        actions = actions.filter(submission__public_id=submission)
    if since:
        actions = actions.filter(at__gte=_day_bounds(since, end=False))
    if until:
        actions = actions.filter(at__lte=_day_bounds(until, end=True))
    return keyset_page(actions, AUDIT_KEYS, cursor, size)


def public_log_page(*, cursor: str | None = None, size: int = PAGE_SIZE):
    """The host forum's posts that stand rejected, each once with the rejection that stands (its post's latest
    item), newest first: the optional public moderation log. Other API clients' posts are theirs, not the host
    forum's to publish; a rejection overturned on appeal or followed by an approved edit is not listed, nor a post
    whose author was erased (nothing of it is left to show)."""
    latest = ~Exists(ReviewItem.objects.filter(submission=OuterRef("submission"), pk__gt=OuterRef("pk")))
    rejected = ReviewItem.objects.filter(
        latest, status=ReviewStatus.DECIDED, decision_action=DecisionAction.REJECT,
        submission__status=SubmissionStatus.REJECTED, submission__client__name=ApiClient.LOCAL_NAME,
        submission__author_erased_at=None,
    ).select_related("revision", "decision_template")
    return keyset_page(rejected, [("decided_at", True), ("id", True)], cursor, size)
