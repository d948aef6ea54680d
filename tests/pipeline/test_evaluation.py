"""The evaluation service, in-process: idempotent, upgrade-aware, failure-aware, and respectful of decisions."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.models import ClassifierResult, Evaluation, Revision, Submission, WorkerHeartbeat
from moderation.services.evaluation import (
    SlowClassifiersPending,
    revision_evaluate,
    revisions_to_rescore,
    revisions_unevaluated,
)
from tests.pipeline.classifiers import AI_MARK, STACK, FlakyClassifier

pytestmark = pytest.mark.django_db

CONSISTENCY = "moderation.classifiers.consistency.DisclosureConsistencyClassifier"
BODY = ("A plain paragraph I wrote about my allotment, the slugs, the rain, and the one courgette that survived "
        "the summer against all odds and the neighbour's chickens.")


def use(settings, *paths):
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": list(paths)}


def evaluate(post, **kwargs):
    revision = post.submission.current_revision
    return revision_evaluate(revision_id=revision.pk, content_hash=revision.content_hash, **kwargs)


def test_evaluating_twice_stores_one_result_set_and_one_evaluation(settings, make_post):
    use(settings, *STACK)
    post = make_post(body=BODY)

    first, second = evaluate(post), evaluate(post)

    assert first.pk == second.pk
    assert ClassifierResult.objects.filter(revision__submission=post.submission).count() == 2
    assert Submission.objects.get(pk=post.submission_id).status == "published"


def test_stale_work_is_skipped(settings, make_post):
    use(settings, *STACK)
    post = make_post(body=BODY)
    revision = post.submission.current_revision

    assert revision_evaluate(revision_id=revision.pk, content_hash="0" * 64) is None
    assert not ClassifierResult.objects.exists()


def test_an_upgraded_classifier_adds_results_and_a_new_evaluation_keeping_the_old_ones(settings, make_post):
    use(settings, *STACK)
    post = make_post(body=BODY)
    old = evaluate(post)
    use(settings, "tests.pipeline.classifiers.ScriptedV2", CONSISTENCY)

    assert [pk for pk, _ in revisions_to_rescore()] == [post.submission.current_revision_id]
    new = evaluate(post)

    assert new.pk != old.pk
    versions = set(ClassifierResult.objects.filter(classifier="scripted").values_list("version", flat=True))
    assert versions == {"1", "2"}
    assert revisions_to_rescore() == []


def test_a_revision_decided_under_another_policy_is_sent_again_and_then_decided_under_this_one(settings, make_post):
    """Round 21: a change of the rules, or of how they are read (``ENGINE_VERSION``), left every post decided
    under the old policy until an operator thought of ``reevaluate --all``; plain ``reevaluate`` found nothing,
    since no classifier result was missing."""
    use(settings, *STACK)
    post = make_post(body=BODY)
    decided = evaluate(post)
    assert revisions_to_rescore() == []
    # as an older policy wrote it: its version is part of the fingerprint
    Evaluation.objects.filter(pk=decided.pk).update(policy_version="an-older-policy", fingerprint="0" * 64)

    assert [pk for pk, _ in revisions_to_rescore()] == [post.submission.current_revision_id]
    assert revisions_to_rescore(classifier="scripted") == []  # one classifier's results: complete
    again = evaluate(post)

    assert again.pk != decided.pk and again.policy_version != "an-older-policy"
    assert revisions_to_rescore() == []


def test_the_stats_page_tells_the_operator_how_many_posts_an_older_policy_decided(settings, make_post, client,
                                                                                  moderator):
    use(settings, *STACK)
    decided = [evaluate(make_post(body=BODY)) for _ in range(2)]
    client.force_login(moderator)
    assert "data-stale-policy" not in client.get("/moderation/stats/").content.decode()

    Evaluation.objects.filter(pk__in=[e.pk for e in decided]).update(policy_version="an-older-policy")

    page = client.get("/moderation/stats/").content.decode()
    assert "2 posts were last decided under another version of the policy" in page
    assert "<code>manage.py reevaluate</code> decides them again" in page


def test_a_policy_put_back_as_it_was_applies_its_old_evaluation_again(settings, make_post):
    """Found by review: an evaluation is kept once per set of inputs, and the pipeline returned the one it
    found without applying it; a policy changed and then put back left the post with the other policy's
    outcome, and counted for ever as decided under another policy."""
    from moderation.policy.engine import current_policy

    use(settings, *STACK)
    post = make_post(body=BODY)
    first = evaluate(post)
    assert Submission.objects.get(pk=post.submission_id).status == "published"
    version = current_policy().version
    # another policy decides it (held), as one would after a change of the rules
    held = Evaluation.objects.create(revision=post.submission.current_revision, policy_version="another-policy",
                                     fingerprint="1" * 64, outcome="hold", reasons=["a_rule_since_removed"],
                                     priority=10)
    from moderation.services.evaluation import submission_apply_evaluation

    submission = Submission.objects.get(pk=post.submission_id)
    submission_apply_evaluation(submission=submission, revision=submission.current_revision, evaluation=held,
                                results=[])
    submission.save()
    assert Submission.objects.get(pk=post.submission_id).visible is False
    assert [pk for pk, _ in revisions_to_rescore()] == [post.submission.current_revision_id]

    again = evaluate(post)  # the policy in force is the first one again

    assert again.pk == first.pk and again.policy_version == version
    assert Revision.objects.get(pk=post.submission.current_revision_id).applied_evaluation_id == first.pk
    assert revisions_to_rescore() == []


def test_a_revision_the_pipeline_gave_up_on_is_not_sent_again_for_its_policy(settings, make_post):
    use(settings, *STACK)
    post = make_post(body=BODY)
    decided = evaluate(post)
    Evaluation.objects.filter(pk=decided.pk).update(policy_version=Evaluation.GAVE_UP)
    assert revisions_to_rescore() == []


def test_a_failed_classifier_is_retried_and_the_consistency_check_follows_its_inputs(settings, make_post):
    use(settings, "tests.pipeline.classifiers.FlakyClassifier", CONSISTENCY)
    FlakyClassifier.failing = True
    post = make_post(body=BODY)
    try:
        held = evaluate(post)
        assert "classifier_failed" in held.reasons
        assert ClassifierResult.objects.get(classifier="flaky").error == "ConnectionError: service unavailable"
        assert ClassifierResult.objects.get(classifier="disclosure_consistency").status == "insufficient_evidence"
        assert [pk for pk, _ in revisions_to_rescore()] == [post.submission.current_revision_id]

        FlakyClassifier.failing = False
        retried = evaluate(post)
    finally:
        FlakyClassifier.failing = True

    assert retried.pk != held.pk and "classifier_failed" not in retried.reasons
    submission = Submission.objects.get(pk=post.submission_id)
    assert submission.status == "queued", "only a person takes a post out of the queue"
    assert submission.review_items.get().reasons == ["classifier_failed"], "it keeps the reason it came for"
    # The log is append-only: the error stays beside its successful retry, and the consistency check's
    # verdict on the old inputs beside its verdict on the new ones.
    flaky = ClassifierResult.objects.filter(classifier="flaky").order_by("id")
    assert [(r.attempt, r.status) for r in flaky] == [(1, "error"), (2, "ok")]
    consistency = ClassifierResult.objects.filter(classifier="disclosure_consistency").order_by("id")
    assert [r.status for r in consistency] == ["insufficient_evidence", "ok"]


def test_the_fast_stage_hands_slow_classifiers_over_and_decides_nothing(settings, make_post):
    use(settings, *STACK, "tests.pipeline.classifiers.SlowScripted")
    post = make_post(body=BODY)

    with pytest.raises(SlowClassifiersPending) as pending:
        evaluate(post, queue="fast")

    assert pending.value.names == ["slow_scripted"]
    assert list(ClassifierResult.objects.values_list("classifier", flat=True)) == ["scripted"]
    assert not Evaluation.objects.exists()
    evaluate(post)
    assert sorted(ClassifierResult.objects.values_list("classifier", flat=True)) == [
        "disclosure_consistency", "scripted", "slow_scripted"]


def test_a_text_the_slow_stage_would_not_look_at_is_decided_by_the_fast_stage_alone(settings, make_post):
    use(settings, *STACK, "tests.pipeline.classifiers.SlowOnLongText")
    short = make_post(title="Short", body="Agreed, the slugs won this year.")
    long = make_post(title="Long", body=BODY)

    decided = evaluate(short, queue="fast")  # no SlowClassifiersPending: no hand-over to the slow queue
    with pytest.raises(SlowClassifiersPending):
        evaluate(long, queue="fast")

    assert decided is not None and decided.revision_id == short.submission.current_revision_id
    assert sorted(ClassifierResult.objects.filter(revision=decided.revision_id).values_list(
        "classifier", flat=True)) == ["disclosure_consistency", "scripted", "slow_on_long_text"]


def test_the_statistical_classifier_hands_over_only_text_long_enough_for_its_language_model():
    from disclosure.blocks import parse_body
    from moderation.classifiers.statistical import StatisticalClassifier

    classifier = StatisticalClassifier(queue="slow")
    reply = "Agreed. " * 30
    essay = "The allotment kept us busy all summer long. " * 12
    assert classifier.queue_for(parse_body(reply, "markdown").passages) == "fast"
    assert classifier.queue_for(parse_body(essay, "markdown").passages) == "slow"
    declared = f'{reply}\n\n:::ai-written model="X"\n{essay}\n:::\n'
    assert classifier.queue_for(parse_body(declared, "markdown").passages) == "slow"


def test_rescoring_does_not_undo_a_moderators_decision_on_the_same_revision(settings, make_post, moderator):
    from moderation.services.review import Actor, review_item_approve

    use(settings, *STACK)
    post = make_post(body=f"{BODY}\n\n{AI_MARK} " + BODY, disclosure={"human_only": True})
    evaluate(post)
    item = post.submission.review_items.get()
    review_item_approve(item_id=item.pk, actor=Actor.for_user(moderator))
    use(settings, "tests.pipeline.classifiers.ScriptedV2", CONSISTENCY)

    evaluate(post)

    submission = Submission.objects.get(pk=post.submission_id)
    assert submission.status == "approved" and submission.visible
    assert not submission.review_items.exclude(status="decided").exists()


def test_the_sweep_finds_current_revisions_left_unevaluated(settings, make_post):
    use(settings, *STACK)
    fresh, stuck, done = make_post(body=BODY), make_post(body=BODY + " Stuck."), make_post(body=BODY + " Done.")
    evaluate(done)
    Revision.objects.filter(pk__in=[stuck.submission.current_revision_id, done.submission.current_revision_id]) \
        .update(created_at=timezone.now() - timedelta(minutes=5))

    assert list(revisions_unevaluated()) == [stuck.submission.current_revision]
    assert fresh.submission.current_revision not in revisions_unevaluated()


def test_the_heartbeat_task_records_the_worker():
    from moderation.tasks import worker_heartbeat

    worker_heartbeat()
    worker_heartbeat()

    assert WorkerHeartbeat.objects.count() == 1
    assert timezone.now() - WorkerHeartbeat.objects.get().at < timedelta(minutes=1)


def test_a_classifier_that_cannot_be_loaded_is_an_error_result_not_a_silent_gap(settings, make_post):
    from django.core.checks import run_checks

    use(settings, "tests.pipeline.classifiers.NoSuchClassifier",
        {"path": "moderation.classifiers.remote.SaplingClassifier", "options": {"attempts": "many"}})
    settings.MODERATION = {**settings.MODERATION, "ALLOW_REMOTE_CLASSIFIERS": True}
    post = make_post(body=BODY)

    evaluation = evaluate(post)

    errors = dict(ClassifierResult.objects.values_list("classifier", "error"))
    assert "could not be loaded: ImportError" in errors["NoSuchClassifier"]
    assert "could not be loaded: ValueError" in errors["sapling"]
    assert "classifier_failed" in evaluation.reasons
    assert {e.id for e in run_checks()} >= {"moderation.E002", "moderation.E004"}
