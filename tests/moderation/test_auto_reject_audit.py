"""An automatic rejection (an operator's opt-in ``auto_reject`` rule) is audited like any decision: an Action
by ``system``, a ``review.decided`` outbox event, and a statement of reasons that says the decision was
automated."""
from __future__ import annotations

import pytest

from moderation.models import Action, OutboxEvent, StatementOfReasons
from tests.webhook_schema import assert_body_matches_published_schema

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
    assert decision["revision"] == 1  # the revision the decision was about, as a moderator's decision says it
    assert event.payload["data"]["status"] == "rejected"
    assert_body_matches_published_schema(event)  # "automated" and the statement's id are documented too
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


def test_an_automatic_rejection_of_an_edit_decides_the_item_that_was_waiting_and_can_be_appealed(
        settings, classifiers, make_post, evaluate, templates, author):
    """The item left open on the old revision refused every decision ("it is being checked and will come back")
    and the appeal ("already waiting for a moderator"), while the statement offered that appeal."""
    from forum.models import Post
    from forum.services import post_update
    from moderation.models import ReviewItem
    from moderation.services.intake import local_client
    from moderation.services.reports import report_create
    from moderation.services.review import Actor, review_item_appeal

    from .conftest import HUMAN_TEXT

    settings.MODERATION = {**settings.MODERATION, "POLICY": {"extend_default": True, "rules": [
        {"name": "auto_reject_high_score", "when": {"classifier": "keyword", "score_at_least": 0.4},
         "outcome": "auto_reject", "reason": "auto_rejected_ai_score", "template": "low-effort-ai"}]}}
    post = make_post(body=HUMAN_TEXT)
    evaluate(post)
    waiting = report_create(submission_id=post.submission_id, client=local_client(),
                            reporter_external_id="r1").item
    post = Post.objects.get(pk=post.pk)
    post_update(post=post, category=post.category, title=post.revision.title, body=AI_TEXT,
                disclosure_data={"human_only": True})
    evaluate(post)

    item = ReviewItem.objects.get(pk=waiting.pk)
    assert (item.status, item.decision_action, item.revision_id) == (
        "decided", "reject", post.submission.current_revision_id)
    statement = StatementOfReasons.objects.get(submission_id=post.submission_id)
    assert statement.item_id == item.pk and statement.data["redress"]["internal_complaint"]["available"] is True
    appeal = review_item_appeal(submission_id=post.submission_id, actor=Actor.for_user(author),
                                message="My edit quoted the model on purpose, to discuss it.")
    assert appeal.status == "open"


def test_a_rule_whose_template_is_gone_tells_the_author_the_default_in_their_language(settings, classifiers,
                                                                                      make_post, evaluate):
    """The setting's rules are not checked against the database, and a template can be retired after a rule
    was saved: the author was then told the English default as if it were the operator's own words."""
    from django.utils import translation

    from moderation.models import Notification
    from moderation.services.notify import notification_text

    settings.MODERATION = {**settings.MODERATION, "POLICY": {"extend_default": True, "rules": [
        {"name": "auto_reject_high_score", "when": {"classifier": "keyword", "score_at_least": 0.4},
         "outcome": "auto_reject", "reason": "auto_rejected_ai_score", "template": "retired-template"}]}}
    post = make_post(title="Mostly delve", body=AI_TEXT)

    evaluate(post)

    notification = Notification.objects.get(submission=post.submission)
    with translation.override("de"):
        assert notification_text(notification) == "Ihr Beitrag wurde automatisch abgelehnt."
    assert notification.message == "Your post was rejected automatically."
    assert Action.objects.get(verb="auto_reject").note == "Your post was rejected automatically."


def test_a_rule_added_later_rejects_a_reported_post_on_re_scoring_from_the_status_it_left_and_says_so(
        settings, classifiers, make_post, evaluate, templates, monkeypatch):
    """The audit row names the status the post really left, and the item the rejection decided is announced
    (``review_item_changed``) as a moderator's decision is, so that a host applies it."""
    from moderation.services.intake import local_client
    from moderation.services.reports import report_create
    from moderation.signals import review_item_changed
    from tests.moderation.classifiers import KeywordClassifier

    post = make_post(body=AI_TEXT)
    monkeypatch.setattr(KeywordClassifier, "classify", lambda self, passages, disclosure: self.output(
        status="ok", score=0.0, passages=[]))
    evaluate(post)
    post.submission.refresh_from_db()
    assert post.submission.status == "published"
    waiting = report_create(submission_id=post.submission_id, client=local_client(), reporter_external_id="r1").item
    post.submission.refresh_from_db()
    assert post.submission.status == "queued"
    monkeypatch.undo()
    monkeypatch.setattr(KeywordClassifier, "version", "2")
    settings.MODERATION = {**settings.MODERATION, "POLICY": {"extend_default": True, "rules": [
        {"name": "auto_reject_high_score", "when": {"classifier": "keyword", "score_at_least": 0.4},
         "outcome": "auto_reject", "reason": "auto_rejected_ai_score", "template": "low-effort-ai"}]}}
    announced = []
    review_item_changed.connect(lambda sender, item, action, **kw: announced.append((item.pk, action.verb)),
                                weak=False, dispatch_uid="test-auto-reject")
    try:
        evaluate(post)
    finally:
        review_item_changed.disconnect(dispatch_uid="test-auto-reject")

    action = Action.objects.get(verb="auto_reject")
    assert (action.from_status, action.to_status) == ("queued", "rejected")
    assert announced == [(waiting.pk, "auto_reject")]


def test_a_policy_put_back_as_it_was_does_not_reject_the_post_a_second_time(settings, classifiers, make_post,
                                                                            evaluate, templates):
    """Found by review: the rejecting policy's evaluation, applied again after another policy's, rejected the
    post twice (a second action, notification, statement of reasons and webhook) though nothing changed."""
    from moderation.models import Notification

    rejecting = {"extend_default": True, "rules": [
        {"name": "auto_reject_high_score", "when": {"classifier": "keyword", "score_at_least": 0.4},
         "outcome": "auto_reject", "reason": "auto_rejected_ai_score", "template": "low-effort-ai"}]}
    settings.MODERATION = {**settings.MODERATION, "POLICY": rejecting}
    post = make_post(title="Mostly delve", body=AI_TEXT)
    evaluate(post)
    settings.MODERATION = {**settings.MODERATION, "POLICY": {"extend_default": True, "rules": []}}
    evaluate(post)
    settings.MODERATION = {**settings.MODERATION, "POLICY": rejecting}

    evaluate(post)

    counts = (Action.objects.filter(verb="auto_reject").count(), StatementOfReasons.objects.count(),
              OutboxEvent.objects.filter(type="review.decided").count(),
              Notification.objects.filter(submission_id=post.submission_id, verb="review.reject").count())
    assert counts == (1, 1, 1, 1)
