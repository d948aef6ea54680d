"""Poison messages, in-process: each evaluation run is counted before it starts; past the limit the task and
the sweep give up, store an error result and hold the post for a person instead of retrying for ever."""
from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.models import ClassifierResult, Evaluation, Revision, Submission
from moderation.services.evaluation import revision_attempt_begin, revisions_sweep_unevaluated
from moderation.tasks import evaluate_revision

pytestmark = [pytest.mark.reliability, pytest.mark.django_db]


@pytest.fixture
def pending_post(classifiers, author, category):
    """A post whose evaluation is queued (on a queue no worker reads here) and has not run."""
    from forum.services import post_create

    return post_create(author=author, category=category, title="Stuck", body="I wrote this myself, honestly.",
                       disclosure_data={"human_only": True})


def held_for_a_person(submission):
    submission.refresh_from_db()
    evaluation = Evaluation.objects.get(revision=submission.current_revision)
    item = submission.review_items.get()
    return submission, evaluation, item


def test_a_revision_that_keeps_failing_is_held_for_a_person_after_the_limit(pending_post, settings):
    settings.MODERATION = {**settings.MODERATION, "MAX_EVALUATION_ATTEMPTS": 3}
    revision = pending_post.submission.current_revision
    for _ in range(3):  # three runs that died before finishing (each counted when it started)
        revision_attempt_begin(revision_id=revision.pk)
    evaluate_revision(revision.pk, revision.content_hash)  # the fourth delivery: over the limit
    submission, evaluation, item = held_for_a_person(pending_post.submission)
    assert submission.status == "queued" and submission.visible is False
    assert evaluation.outcome == "hold" and evaluation.reasons == ["evaluation_gave_up"]
    assert item.status == "open" and item.reasons == ["evaluation_gave_up"]
    errors = ClassifierResult.objects.filter(revision=revision, status="error")
    assert errors.count() == 1 and "gave up after 4 evaluation attempts" in errors.get().error
    assert Revision.objects.get(pk=revision.pk).evaluated_at is not None
    evaluate_revision(revision.pk, revision.content_hash)  # a late redelivery changes nothing
    assert Evaluation.objects.filter(revision=revision).count() == 1 and submission.review_items.count() == 1


def test_runs_within_the_limit_evaluate_normally(pending_post):
    revision = pending_post.submission.current_revision
    evaluate_revision(revision.pk, revision.content_hash)
    revision.refresh_from_db()
    assert revision.evaluation_attempts == 1 and revision.evaluated_at is not None
    assert Evaluation.objects.get(revision=revision).reasons != ["evaluation_gave_up"]


def test_the_sweep_gives_up_instead_of_re_enqueueing_for_ever(pending_post, settings):
    settings.MODERATION = {**settings.MODERATION, "MAX_EVALUATION_ATTEMPTS": 2}
    revision = pending_post.submission.current_revision
    Revision.objects.filter(pk=revision.pk).update(evaluation_attempts=2,
                                                   created_at=timezone.now() - timedelta(minutes=10))
    assert revisions_sweep_unevaluated() == 0  # nothing re-enqueued
    submission, evaluation, item = held_for_a_person(pending_post.submission)
    assert evaluation.reasons == ["evaluation_gave_up"] and item.status == "open"
    assert Submission.objects.get(pk=submission.pk).status == "queued"
