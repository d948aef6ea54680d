"""What readers see when an author edits a post that is in the queue or was decided: a clean edit never hides
a post readers could see, and an edit never shows a post a moderator hid or rejected before it is evaluated."""
from __future__ import annotations

import pytest

from forum.models import Post
from forum.services import post_update
from moderation.models import Submission
from moderation.services.intake import local_client
from moderation.services.reports import report_create
from moderation.services.review import Actor, review_item_decide

from .conftest import HUMAN_TEXT

pytestmark = pytest.mark.django_db


def edit(post, body):
    post = Post.objects.get(pk=post.pk)
    post_update(post=post, category=post.category, title=post.revision.title, body=body,
                disclosure_data={"human_only": True})
    return Post.objects.get(pk=post.pk)


def test_a_clean_edit_of_a_reported_post_keeps_it_visible_while_it_waits(make_post, evaluate):
    """A report never hides a post; the author's clean edit made it invisible (the policy said "publish")."""
    post = make_post(body=HUMAN_TEXT)
    for reporter in ("r1", "r2", "r3"):
        report_create(submission_id=post.submission_id, client=local_client(), reporter_external_id=reporter)
    assert Submission.objects.get(pk=post.submission_id).visible

    post = edit(post, HUMAN_TEXT + " One more sentence I added later.")
    evaluation = evaluate(post)

    assert evaluation.outcome == "publish"
    submission = Submission.objects.get(pk=post.submission_id)
    assert (submission.status, submission.visible) == ("queued", True)
    item = submission.review_items.get()
    assert item.status == "open" and "reader_report" in item.reasons


@pytest.mark.parametrize("action", ["hide", "reject"])
def test_a_trusted_authors_edit_does_not_show_a_hidden_or_rejected_post_before_it_is_evaluated(
        action, make_user, make_post, moderator, templates, evaluate):
    """Trusted authors' posts are shown before evaluation; an edit of a post a moderator hid or rejected was
    shown at once too, until the worker held it again (never, with the broker down)."""
    trusted = make_user("old-hand", standing="trusted")
    post = make_post(body=HUMAN_TEXT, user=trusted)
    filed = report_create(submission_id=post.submission_id, client=local_client(), reporter_external_id="r1")
    review_item_decide(item_id=filed.item_id, actor=Actor.for_user(moderator), action=action,
                       reason="undisclosed-ai")
    assert not Submission.objects.get(pk=post.submission_id).visible

    post = edit(post, HUMAN_TEXT + " Edited after the decision.")

    assert not Submission.objects.get(pk=post.submission_id).visible
    evaluate(post)
    assert not Submission.objects.get(pk=post.submission_id).visible


def test_a_trusted_authors_edit_of_a_visible_post_is_still_shown_before_evaluation(make_user, make_post):
    trusted = make_user("old-hand", standing="trusted")
    post = make_post(body=HUMAN_TEXT, user=trusted)
    assert Submission.objects.get(pk=post.submission_id).visible

    post = edit(post, HUMAN_TEXT + " A typo fixed.")

    submission = Submission.objects.get(pk=post.submission_id)
    assert submission.visible
