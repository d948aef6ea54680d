"""The statement of reasons states the facts of the decision it records: the reader reports that decision
answered, and automated detection only where a classifier or a policy rule found something."""
from __future__ import annotations

import pytest

from forum.models import Post
from forum.services import post_update
from moderation.models import StatementOfReasons
from moderation.services.intake import local_client
from moderation.services.reports import report_create
from moderation.services.review import Actor, review_item_hide

from .conftest import HUMAN_TEXT

pytestmark = pytest.mark.django_db


def reports(post, *readers):
    return [report_create(submission_id=post.submission_id, client=local_client(), reporter_external_id=r)
            for r in readers]


def test_a_post_only_readers_reported_was_not_detected_by_automated_means(classifiers, make_post, evaluate,
                                                                          moderator):
    """The keyword classifier ran and found nothing; the statement said "Detection: yes" because it had run."""
    post = make_post(body=HUMAN_TEXT)
    evaluate(post)
    (filed,) = reports(post, "r1")
    review_item_hide(item_id=filed.item_id, actor=Actor.for_user(moderator), message="Hidden while we check.")
    statement = StatementOfReasons.objects.get(submission_id=post.submission_id)
    assert statement.data["facts_and_circumstances"]["classifier_results"]  # it ran
    assert statement.data["automated_means"]["detection"] is False and not statement.automated_detection


def test_a_flagged_post_was_detected_by_automated_means(queued_post, item_of, moderator):
    post = queued_post()
    review_item_hide(item_id=item_of(post).pk, actor=Actor.for_user(moderator), message="Hidden while we check.")
    assert StatementOfReasons.objects.get(submission_id=post.submission_id).data["automated_means"]["detection"]


def test_the_statement_counts_the_reports_its_decision_answers_on_every_revision(make_post, evaluate, moderator):
    """Three reports on revision 1, then an edit: the decision on revision 2 resolved all three, and the
    statement said 0."""
    post = make_post(body=HUMAN_TEXT)
    filed = reports(post, "r1", "r2", "r3")
    post = Post.objects.get(pk=post.pk)
    post_update(post=post, category=post.category, title=post.revision.title, body=HUMAN_TEXT + " Added.",
                disclosure_data={"human_only": True})
    evaluate(post)
    review_item_hide(item_id=filed[0].item_id, actor=Actor.for_user(moderator), message="Hidden while we check.")
    statement = StatementOfReasons.objects.get(submission_id=post.submission_id)
    assert statement.data["facts_and_circumstances"]["revision"] == 2
    assert statement.data["facts_and_circumstances"]["reader_reports"] == 3
