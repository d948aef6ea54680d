"""An automatic rejection (an operator's opt-in ``auto_reject`` rule) is audited like any decision: an Action
by ``system``, a ``review.decided`` outbox event, and a statement of reasons that says the decision was
automated."""
from __future__ import annotations

import pytest

from moderation.models import Action, OutboxEvent, StatementOfReasons

from .conftest import AI_TEXT

pytestmark = pytest.mark.django_db


def test_an_automatic_rejection_writes_an_action_an_event_and_a_statement(settings, classifiers, make_post,
                                                                         evaluate, templates):
    settings.MODERATION = {**settings.MODERATION, "POLICY": {"extend_default": True, "rules": [
        {"name": "auto_reject_high_score", "when": {"classifier": "keyword", "score_at_least": 0.4},
         "outcome": "auto_reject", "reason": "auto_rejected_ai_score", "template": "low-effort-ai"}]}}
    post = make_post(title="Mostly delve", body=AI_TEXT)

    evaluate(post)

    action = Action.objects.get(verb="auto_reject")
    assert (action.actor_kind, action.actor_label, action.submission_id) == ("system", "system", post.submission_id)
    assert (action.from_status, action.to_status) == ("pending", "rejected")
    assert action.note == templates["low-effort-ai"].message
    event = OutboxEvent.objects.get(type="review.decided")
    decision = event.payload["data"]["decision"]
    assert decision["action"] == "reject" and decision["automated"] is True and decision["reason"] == "low-effort-ai"
    assert event.payload["data"]["status"] == "rejected"
    statement = StatementOfReasons.objects.get()
    assert statement.automated_decision and statement.automated_detection
    assert decision["statement_of_reasons"] == str(statement.public_id)
    assert "auto_reject_high_score" in statement.data["ground"]["policy_rules"]
    assert statement.data["redress"]["internal_complaint"]["available"] is True

    evaluate(post)  # the same inputs again: nothing is decided or audited twice
    assert Action.objects.filter(verb="auto_reject").count() == 1


def test_the_author_sees_the_statement_on_the_post_page(settings, classifiers, make_post, evaluate, templates,
                                                       client, author, make_user):
    settings.MODERATION = {**settings.MODERATION, "POLICY": {"extend_default": True, "rules": [
        {"name": "auto_reject_high_score", "when": {"classifier": "keyword", "score_at_least": 0.4},
         "outcome": "auto_reject", "reason": "auto_rejected_ai_score", "template": "low-effort-ai"}]}}
    post = make_post(title="Mostly delve", body=AI_TEXT)
    evaluate(post)
    client.force_login(author)

    page = client.get(f"/posts/{post.public_id}/").content.decode()

    assert "Statement of reasons" in page and 'data-automated-decision="true"' in page
    assert "You can appeal this decision once" in page
