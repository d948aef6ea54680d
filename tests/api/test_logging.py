"""Structured logs: each line the pipeline writes (intake, evaluation, a review action, a webhook delivery)
names the submission and revision it belongs to, rendered as JSON by the production formatter (config/log.py),
and nothing bound for one submission leaks onto the next line."""
from __future__ import annotations

import io
import json
import logging

import pytest

from moderation.models import Revision
from moderation.services.webhooks import outbox_dispatch, webhooks_deliver_due

from .test_webhook_delivery import receiver, register  # noqa: F401  (the receiver fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    """The ``moderation`` loggers at INFO into the production JSON formatter; returns a reader of parsed lines."""
    from config.log import formatter

    spec = formatter("json")
    handler = logging.StreamHandler(stream := io.StringIO())
    handler.setFormatter(spec.pop("()")(**spec))
    logger = logging.getLogger("moderation")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(level)


def lines(log, event_prefix):
    found = [line for line in log() if line["event"].startswith(event_prefix)]
    assert found, f"no line starting {event_prefix!r} in {[line['event'] for line in log()]}"
    return found


def test_intake_evaluation_review_and_webhook_lines_carry_the_ids(json_log, forum, receiver, queued):  # noqa: F811
    created, item = queued  # submitted through the API and evaluated in-process (no classifier configured)
    revision = Revision.objects.get(submission__public_id=created["id"])
    ids = {"submission_id": created["id"], "revision_id": revision.pk}

    [received] = lines(json_log, "submission received")
    assert received | ids == received and received["level"] == "info" and received["client"] == "forum-a"
    [evaluated] = lines(json_log, "evaluated: hold")
    assert evaluated | ids == evaluated and evaluated["outcome"] == "hold" and evaluated["reasons"]
    assert evaluated["logger"] == "moderation.services.evaluation" and evaluated["timestamp"].endswith("Z")

    register(forum, receiver, events=["review.decided"])
    response = forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                               {"action": "reject", "reason": "undisclosed", "message": "Mark the AI text.",
                                "version": item.version}, format="json")
    assert response.status_code == 200, response.json()
    [decided] = lines(json_log, "review reject")
    assert decided | ids | {"review_item_id": str(item.public_id)} == decided

    outbox_dispatch()
    assert webhooks_deliver_due() == 1
    [delivered] = lines(json_log, "webhook ")
    assert delivered["submission_id"] == created["id"] and delivered["review_item_id"] == str(item.public_id)
    assert delivered["event_type"] == "review.decided" and delivered["delivery_id"]

    logging.getLogger("moderation.test").info("after the pipeline")
    [after] = lines(json_log, "after the pipeline")
    assert "submission_id" not in after and "revision_id" not in after
