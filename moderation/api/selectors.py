"""Read side of the API: every query is scoped to the calling client (another client's rows are a 404)."""
from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from disclosure.blocks import BlockSyntaxError
from disclosure.render import render_body

from ..models import (
    ApiClient,
    ClassifierResult,
    Evaluation,
    ReviewItem,
    Submission,
    WebhookDelivery,
    WebhookEndpoint,
)
from ..selectors import submission_label

PASSAGE_FIELDS = ("start", "end", "kind", "probability", "status", "features", "stage")


def submission_get_for_client(*, client: ApiClient, public_id) -> Submission:
    submission = (Submission.objects.select_related("current_revision", "client")
                  .filter(client=client, public_id=public_id).first())
    if submission is None:
        raise Http404("No such submission.")
    return submission


def _iso(value):
    return value.isoformat() if value else None


#: What a client forum reads about a failed classifier. The stored error (host names, a vendor's answer) is for
#: staff only: the moderation pages show it, the API does not.
CLASSIFIER_ERROR_FOR_CLIENTS = "The classifier could not score this revision; a moderator will look at it."


def classifier_result_as_dict(result: ClassifierResult) -> dict:
    return {
        "classifier": result.classifier, "version": result.version, "status": result.status,
        "score": result.score, "latency_ms": result.latency_ms,
        "error": CLASSIFIER_ERROR_FOR_CLIENTS if result.error or result.status == "error" else "",
        "passages": [{key: passage.get(key) for key in PASSAGE_FIELDS if key in passage}
                     for passage in (result.passage_scores or []) if isinstance(passage, dict)],
    }


def decision_as_dict(item: ReviewItem | None) -> dict | None:
    if item is None or not item.decision_action:
        return None
    return {"action": item.decision_action, "reason": item.decision_reason, "message": item.decision_message,
            "decided_at": _iso(item.decided_at)}


def _rendered_html(revision) -> str:
    collapsed = getattr(settings, "DISCLOSURE", {}).get("AI_BLOCKS_COLLAPSED_BY_DEFAULT", True)
    try:
        return render_body(revision.body, revision.format, collapsed=collapsed)
    except BlockSyntaxError:  # parsed at intake; a newer parser may disagree with an old revision
        return ""


def submission_detail(*, submission: Submission) -> dict:
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
    results = (ClassifierResult.objects.filter(revision=revision).order_by("classifier", "version")
               if revision else [])
    return {
        "id": str(submission.public_id),
        "external_id": submission.external_id,
        "revision": revision.number if revision else None,
        "status": submission.status,
        "visible": submission.visible,
        "category": submission.category,
        "author": {"external_id": submission.author_external_id,
                   "display_name": submission.author_display_name, "standing": submission.author_standing},
        "title": revision.title if revision else "",
        "reasons": list(reasons or []),
        "priority": priority,
        "outcome": evaluation.outcome if evaluation else None,
        "evaluated_at": _iso(revision.evaluated_at) if revision else None,
        "classifier_results": [classifier_result_as_dict(r) for r in results],
        "review_item": review_item_summary(latest_item) if latest_item else None,
        "decision": decision_as_dict(last_decided),
        "label": submission_label(submission).as_dict(),
        "rendered_html": _rendered_html(revision) if revision else "",
        "created_at": _iso(submission.created_at),
        "updated_at": _iso(submission.updated_at),
    }


def review_item_summary(item: ReviewItem) -> dict:
    return {"id": str(item.public_id), "kind": item.kind, "status": item.status, "version": item.version}


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
        raise Http404("No such review item.")
    return item


def review_item_as_dict(item: ReviewItem) -> dict:
    submission = item.submission
    return {
        "id": str(item.public_id),
        "submission": {"id": str(submission.public_id), "external_id": submission.external_id,
                       "status": submission.status, "category": submission.category,
                       "author_external_id": submission.author_external_id},
        "revision": item.revision.number,
        "kind": item.kind,
        "status": item.status,
        "reasons": list(item.reasons or []),
        "priority": item.priority,
        "top_score": item.top_score,
        "version": item.version,
        "claimed": item.status == "claimed",
        "claimed_by": (f"api:{item.claimed_by_client.name}" if item.claimed_by_client_id
                       else "moderator" if item.claimed_by_id else None),
        "claimed_at": _iso(item.claimed_at),
        "decision": decision_as_dict(item),
        "appeal_message": item.appeal_message,
        "created_at": _iso(item.created_at),
        "updated_at": _iso(item.updated_at),
    }


def webhooks_for_client(*, client: ApiClient) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(client=client, is_active=True).order_by("created_at", "id")


def webhook_get_for_client(*, client: ApiClient, public_id) -> WebhookEndpoint:
    endpoint = webhooks_for_client(client=client).filter(public_id=public_id).first()
    if endpoint is None:
        raise Http404("No such webhook.")
    return endpoint


def webhook_as_dict(endpoint: WebhookEndpoint, *, with_secret: bool = False) -> dict:
    data = {"id": str(endpoint.public_id), "url": endpoint.url, "events": list(endpoint.events or []),
            "is_active": endpoint.is_active, "created_at": _iso(endpoint.created_at)}
    if with_secret:
        data["secret"] = endpoint.secret
    return data


def webhook_deliveries(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return endpoint.deliveries.select_related("event")


def webhook_delivery_as_dict(delivery: WebhookDelivery) -> dict:
    return {"event_id": str(delivery.event.event_id), "event_type": delivery.event.type,
            "status": delivery.status, "attempts": delivery.attempts,
            "next_attempt_at": _iso(delivery.next_attempt_at), "created_at": _iso(delivery.created_at),
            "log": [{"attempt": e.get("attempt"), "at": e.get("at"), "status_code": e.get("status_code"),
                     "latency_ms": e.get("latency_ms"), "error": e.get("error") or ""}
                    for e in (delivery.log or []) if isinstance(e, dict)]}
