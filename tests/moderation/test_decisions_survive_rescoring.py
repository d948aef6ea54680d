"""A person's decision outlives the machines: re-scoring a revision a moderator decided (a classifier upgrade,
``reevaluate``) never shows or hides it on its own, an automatic rejection never answers an author's appeal,
and an edit after an automatic rejection waits for a person as an edit after any rejection does."""
from __future__ import annotations

import pytest

from moderation.models import ReviewItem
from moderation.services import review
from moderation.services.review import Actor
from tests.moderation.classifiers import KeywordClassifier

from .conftest import AI_TEXT, HUMAN_TEXT

pytestmark = pytest.mark.django_db

AUTO_REJECT = {"extend_default": True, "rules": [
    {"name": "auto_reject_high_score", "when": {"classifier": "keyword", "score_at_least": 0.4},
     "outcome": "auto_reject", "reason": "auto_rejected_ai_score", "template": "low-effort-ai"}]}
APPEAL = "I wrote every word of this myself, on the train, and can show my notes."


def reload(post):
    from forum.models import Post

    post = Post.objects.select_related("submission").get(pk=post.pk)
    return post


def edit(post, body, django_capture_on_commit_callbacks):
    from forum.services import post_update

    post = reload(post)
    with django_capture_on_commit_callbacks(execute=True):
        post_update(post=post, category=post.category, title=post.revision.title, body=body,
                    disclosure_data={"human_only": True})
    return reload(post)


def test_re_scoring_a_rejected_post_under_appeal_keeps_it_hidden(queued_post, item_of, moderator, author,
                                                                 templates, evaluate, monkeypatch):
    post = queued_post()
    review.review_item_reject(item_id=item_of(post).pk, actor=Actor.for_user(moderator),
                              template_code="undisclosed-ai")
    review.review_item_appeal(submission_id=post.submission_id, actor=Actor.for_user(author), message=APPEAL)

    monkeypatch.setattr(KeywordClassifier, "version", "2")
    evaluate(post)

    submission = reload(post).submission
    assert (submission.status, submission.visible) == ("queued", False)
    assert item_of(post).kind == "appeal" and item_of(post).status == "open"


def test_re_scoring_an_approved_post_a_reader_reported_keeps_it_shown(settings, queued_post, item_of, moderator,
                                                                      evaluate):
    from moderation.services.intake import local_client
    from moderation.services.reports import report_create

    post = queued_post()
    review.review_item_approve(item_id=item_of(post).pk, actor=Actor.for_user(moderator))
    report_create(submission_id=post.submission_id, client=local_client(), reporter_external_id="r1")
    assert (reload(post).submission.status, reload(post).submission.visible) == ("queued", True)

    settings.MODERATION = {**settings.MODERATION, "POLICY": {"extend_default": True, "rules": [  # tightened, then
        {"name": "hold_everything", "when": {"always": True}, "outcome": "hold", "reason": "held_for_review"}]}}
    evaluate(post)  # ``reevaluate``: the new policy would hold this text

    submission = reload(post).submission
    assert (submission.status, submission.visible) == ("queued", True)


def test_an_automatic_rejection_never_answers_the_author_s_appeal(settings, queued_post, item_of, moderator, author,
                                                                  templates, evaluate,
                                                                  django_capture_on_commit_callbacks):
    post = queued_post()
    review.review_item_reject(item_id=item_of(post).pk, actor=Actor.for_user(moderator),
                              template_code="undisclosed-ai")
    appeal = review.review_item_appeal(submission_id=post.submission_id, actor=Actor.for_user(author),
                                       message=APPEAL)
    settings.MODERATION = {**settings.MODERATION, "POLICY": AUTO_REJECT}

    post = edit(post, post.revision.body + "\n\nI added my sources.", django_capture_on_commit_callbacks)
    evaluate(post)

    appeal = ReviewItem.objects.get(pk=appeal.pk)
    assert appeal.status == "open" and appeal.revision_id == post.submission.current_revision_id
    assert "auto_rejected_ai_score" in appeal.reasons  # what the rule found, for the person who decides
    submission = reload(post).submission
    assert (submission.status, submission.visible) == ("queued", False)


def test_an_edit_after_an_automatic_rejection_waits_for_a_person(settings, classifiers, make_post, templates,
                                                                 evaluate, django_capture_on_commit_callbacks):
    settings.MODERATION = {**settings.MODERATION, "POLICY": AUTO_REJECT}
    post = make_post(title="Mostly delve", body=AI_TEXT)
    evaluate(post)
    assert reload(post).submission.status == "rejected"

    post = edit(post, HUMAN_TEXT, django_capture_on_commit_callbacks)
    evaluate(post)

    submission = reload(post).submission
    assert (submission.status, submission.visible) == ("queued", False)
    assert submission.review_items.get().reasons == ["edited_after_rejection"]


def test_re_scoring_an_automatically_rejected_revision_rejects_it_once(settings, classifiers, make_post, templates,
                                                                      evaluate, monkeypatch):
    """One decision, one notice and one statement: a classifier upgrade does not reject the same text again."""
    from moderation.models import Action, Notification, StatementOfReasons

    settings.MODERATION = {**settings.MODERATION, "POLICY": AUTO_REJECT}
    post = make_post(title="Mostly delve", body=AI_TEXT)
    evaluate(post)
    monkeypatch.setattr(KeywordClassifier, "version", "2")
    evaluate(post)

    assert reload(post).submission.status == "rejected"
    assert Action.objects.filter(verb="auto_reject").count() == 1
    assert StatementOfReasons.objects.filter(submission=post.submission).count() == 1
    assert Notification.objects.filter(submission=post.submission, verb="review.reject").count() == 1
