"""Read side of the REST API: every query is scoped to the calling client. The response bodies are written from
what these return by the ``…Out`` serializers in ``moderation/api/serializers.py``.

Another client's row is the same as no row: the ``*_get_for_client`` selectors raise the model's
``DoesNotExist``, which the API answers with 404 (``moderation/api/errors.py``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from disclosure.blocks import BlockSyntaxError
from disclosure.render import render_body

from ..models import (
    ApiClient,
    ClassifierResult,
    Evaluation,
    ReviewItem,
    Revision,
    StatementOfReasons,
    Submission,
    WebhookDelivery,
    WebhookEndpoint,
)
from ..selectors.labels import submission_label
from .results import results_current


def submission_get_for_client(*, client: ApiClient, public_id) -> Submission:
    submission = (Submission.objects.select_related("current_revision", "client")
                  .filter(client=client, public_id=public_id).first())
    if submission is None:
        raise Submission.DoesNotExist("No such submission.")
    return submission


def _rendered_html(revision) -> str:
    collapsed = getattr(settings, "DISCLOSURE", {}).get("AI_BLOCKS_COLLAPSED_BY_DEFAULT", True)
    try:
        return render_body(revision.body, revision.format, collapsed=collapsed)
    except BlockSyntaxError:  # parsed at intake; a newer parser may disagree with an old revision
        return ""


@dataclass
class AutomaticDecision:
    """The policy's automatic rejection, read from its statement of reasons, in the shape of a decided item
    (``DecisionOut`` writes either): it has no review item of its own."""

    decision_action: str
    decision_reason: str
    decision_message: str
    decided_at: datetime
    revision: Revision


def _automatic_decision(submission: Submission, last_decided: ReviewItem | None) -> AutomaticDecision | None:
    statement = StatementOfReasons.objects.filter(submission=submission, automated_decision=True,
                                                  item__isnull=True).order_by("-created_at", "-id").first()
    if statement is None or (last_decided is not None and last_decided.decided_at is not None
                             and last_decided.decided_at > statement.created_at):
        return None
    ground = statement.data.get("ground", {})
    revision = statement.evaluation.revision if statement.evaluation_id else submission.current_revision
    return AutomaticDecision(statement.decision, ground.get("rule") or "", ground.get("explanation") or "",
                             statement.created_at, revision)


@dataclass
class SubmissionDetail:
    """What ``GET /submissions/{id}`` shows (written by ``moderation.api.serializers.SubmissionOut``)."""

    submission: Submission
    revision: Revision | None
    title: str
    reasons: list[str]
    priority: int
    outcome: str | None
    evaluated_at: datetime | None
    classifier_results: list[ClassifierResult]
    review_item: ReviewItem | None
    decision: ReviewItem | AutomaticDecision | None
    label: dict
    rendered_html: str


def submission_detail(*, submission: Submission) -> SubmissionDetail:
    """Status, why, how urgent, what each classifier found, the decision, the label and the HTML to show.

    ``reasons`` and ``priority`` come from the submission's latest review item when it concerns the current
    revision or is still undecided, else from the current revision's latest evaluation.
    """
    revision = submission.current_revision
    latest_item = submission.review_items.order_by("-created_at", "-id").first()
    last_decided = (submission.review_items.exclude(decision_action="").order_by("-decided_at", "-id").first())
    evaluation = (Evaluation.objects.filter(revision=revision).order_by("-created_at", "-id").first()
                  if revision else None)
    if latest_item is not None and (
            latest_item.status != "decided" or (revision is not None and latest_item.revision_id == revision.pk)):
        reasons, priority = latest_item.reasons, latest_item.priority
    elif evaluation is not None:
        reasons, priority = evaluation.reasons, evaluation.priority
    else:
        reasons, priority = [], 0
    # The classifier log keeps every attempt; the API shows the one standing per classifier version.
    results = results_current(revision) if revision else []
    return SubmissionDetail(
        submission=submission, revision=revision, title=revision.title if revision else "",
        reasons=list(reasons or []), priority=priority, outcome=evaluation.outcome if evaluation else None,
        evaluated_at=(revision.evaluated_at or None) if revision else None, classifier_results=results,
        review_item=latest_item, decision=_automatic_decision(submission, last_decided) or last_decided,
        label=submission_label(submission).as_dict(),
        rendered_html=_rendered_html(revision) if revision else "",
    )


@dataclass
class SubmissionAccepted:
    """What ``POST /submissions`` answers (written by ``moderation.api.serializers.SubmissionAcceptedOut``)."""

    submission: Submission
    revision: Revision
    new_revision: bool
    label: dict
    url: str


def review_items_for_client(*, client: ApiClient) -> QuerySet[ReviewItem]:
    """The review items of the client's own submissions (the API's queue is scoped per client)."""
    return ReviewItem.objects.filter(submission__client=client).select_related("submission", "revision")


def review_items_with_reason(queryset: QuerySet[ReviewItem], reason: str) -> QuerySet[ReviewItem]:
    """Items whose reasons include ``reason`` (JSON containment where the database has it, else text match)."""
    if connection.features.supports_json_field_contains:
        return queryset.filter(reasons__contains=[reason])
    return queryset.filter(reasons__icontains=f'"{reason}"')


def review_item_get_for_client(*, client: ApiClient, public_id) -> ReviewItem:
    item = review_items_for_client(client=client).filter(public_id=public_id).first()
    if item is None:
        raise ReviewItem.DoesNotExist("No such review item.")
    return item


def webhooks_for_client(*, client: ApiClient) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(client=client, is_active=True).order_by("created_at", "id")


def webhook_get_for_client(*, client: ApiClient, public_id) -> WebhookEndpoint:
    endpoint = webhooks_for_client(client=client).filter(public_id=public_id).first()
    if endpoint is None:
        raise WebhookEndpoint.DoesNotExist("No such webhook.")
    return endpoint


def webhook_deliveries(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return endpoint.deliveries.select_related("event")
