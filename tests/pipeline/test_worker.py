"""The pipeline on a real Celery worker, real Redis and PostgreSQL: nothing submitted is lost or scored twice."""
from __future__ import annotations

import json
import os
import signal
import uuid

import pytest

from moderation.models import ClassifierResult, Evaluation, OutboxEvent, ReviewItem, Revision, Submission
from tests.pipeline.classifiers import AI_MARK
from tests.pipeline.conftest import celery_broker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

HUMAN = ("I walked to the market on Saturday and argued with the fishmonger about whether mackerel counts as an "
         "oily fish, which it obviously does, and he knew it, and we both laughed about it for a while.")
AI = (f"{AI_MARK} It is important to note that mackerel offers a compelling combination of nutritional benefits, "
      "including omega-3 fatty acids, high-quality protein, and essential vitamins, making it a versatile and "
      "valuable addition to a balanced diet.")


def body(*paragraphs: str, token: str | None = None) -> str:
    return "\n\n".join(paragraphs + ((f"[[run:{token}]]",) if token else ()))


def evaluated(post):
    revision = Revision.objects.get(pk=post.submission.current_revision_id)
    return revision if revision.evaluated_at else None


def result_rows(post) -> list[tuple[str, str]]:
    return sorted(ClassifierResult.objects.filter(revision__submission=post.submission)
                  .values_list("classifier", "status"))


def test_a_submitted_post_is_scored_passage_by_passage_within_seconds(worker, pipeline_settings, make_post):
    post = make_post(title="Mackerel", body=body(HUMAN, AI), disclosure={"human_only": True})

    wait_for(lambda: evaluated(post), timeout=20, message="the worker to evaluate the post")

    scripted = ClassifierResult.objects.get(revision__submission=post.submission, classifier="scripted")
    by_start = {p["start"]: p["probability"] for p in scripted.passage_scores}
    ai_start = post.submission.current_revision.body.index(AI_MARK)
    assert by_start[ai_start] > 0.9 and by_start[0] < 0.1
    consistency = ClassifierResult.objects.get(revision__submission=post.submission,
                                               classifier="disclosure_consistency")
    codes = {f["code"] for f in consistency.details["findings"]}
    assert {"undisclosed_ai_passages", "human_only_contradicted"} <= codes
    submission = Submission.objects.get(pk=post.submission_id)
    assert submission.status == "queued"
    assert "undisclosed_ai_suspected" in ReviewItem.objects.get(submission=submission).reasons


def test_a_task_delivered_three_times_leaves_one_result_set(worker, pipeline_settings, make_post):
    from moderation.tasks import evaluate_revision

    post = make_post(title="Twice", body=body(HUMAN))
    revision = post.submission.current_revision
    for _ in range(2):  # the intake already sent it once
        evaluate_revision.delay(revision.pk, revision.content_hash)

    wait_for(lambda: evaluated(post), message="the evaluation")
    wait_for(lambda: worker_idle(), message="all three deliveries to be processed")

    assert result_rows(post) == [("disclosure_consistency", "ok"), ("scripted", "ok")]
    assert Evaluation.objects.filter(revision=revision).count() == 1
    assert OutboxEvent.objects.filter(client=post.submission.client, type="submission.evaluated").count() == 1
    assert Submission.objects.get(pk=post.submission_id).status == "published"


def worker_idle() -> bool:
    """No message waiting in this run's queues and none delivered but unacknowledged."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    prefix = os.environ["CELERY_QUEUE_PREFIX"]
    waiting = sum(client.llen(f"{prefix}.{q}") for q in ("fast", "slow"))
    unacked = [json.loads(raw) for raw in client.hvals("unacked")]
    return waiting == 0 and not [m for m in unacked if str(m[-1]).startswith(prefix)]


@pytest.mark.reliability
def test_a_pool_child_killed_mid_task_is_redelivered_and_scores_once(worker, pipeline_settings, make_post,
                                                                     pipeline_dir, started_log):
    token = uuid.uuid4().hex[:10]
    (pipeline_dir / "hold").touch()
    try:
        post = make_post(title="Killed child", body=body(HUMAN, "[[sleep]]", token=token))
        first = wait_for(lambda: started_log(token), message="the classifier to start")[0]
        os.kill(first[0], signal.SIGKILL)
    finally:
        (pipeline_dir / "hold").unlink()

    wait_for(lambda: evaluated(post), timeout=30, message="the redelivered task to finish")
    assert len(started_log(token)) >= 2, "the task was not run again after its process died"
    assert worker.running, "killing a pool child must not take the worker down"
    assert result_rows(post) == [("disclosure_consistency", "ok"), ("scripted", "ok")]
    assert Evaluation.objects.filter(revision__submission=post.submission).count() == 1


@pytest.mark.reliability
def test_a_worker_killed_outright_mid_task_is_redelivered_after_the_visibility_timeout(
        pipeline_settings, make_post, private_redis, pipeline_dir, started_log):
    """On a private Redis: kombu's restore of unacked messages works through one shared index per database,
    which other test runs on the machine's Redis may fill; this test must not wait behind them."""
    from tests.pipeline.conftest import Worker, _test_database_url

    def worker(timeout):
        return Worker(database_url=_test_database_url(), redis_url=private_redis.url, directory=pipeline_dir,
                      CELERY_VISIBILITY_TIMEOUT=timeout).start()

    token = uuid.uuid4().hex[:10]
    with celery_broker(private_redis.url):
        first = worker(60)
        (pipeline_dir / "hold").touch()
        try:
            post = make_post(title="Killed worker", body=body(HUMAN, "[[sleep]]", token=token))
            wait_for(lambda: started_log(token), message="the classifier to start")
            first.kill_all()
        finally:
            (pipeline_dir / "hold").unlink()
        assert evaluated(post) is None

        # The message is still "unacked" in Redis; a worker restores it once the visibility timeout has passed.
        second = worker(2)
        try:
            wait_for(lambda: evaluated(post), timeout=60, message="the restored task to finish")
        finally:
            second.stop()
    assert len(started_log(token)) >= 2
    assert result_rows(post) == [("disclosure_consistency", "ok"), ("scripted", "ok")]
    assert Evaluation.objects.filter(revision__submission=post.submission).count() == 1


def test_a_failing_classifier_is_stored_as_an_error_and_the_post_waits_for_a_person(
        worker, pipeline_settings, make_post):
    post = make_post(title="Broken", body=body(HUMAN, "[[raise]]"))

    wait_for(lambda: evaluated(post), message="the evaluation")

    error = ClassifierResult.objects.get(revision__submission=post.submission, classifier="scripted")
    assert error.status == "error" and "scripted failure" in error.error
    submission = Submission.objects.get(pk=post.submission_id)
    assert submission.status == "queued" and not submission.visible
    item = ReviewItem.objects.get(submission=submission)
    assert item.status == "open" and "classifier_failed" in item.reasons


@pytest.mark.reliability
def test_a_post_submitted_while_redis_is_down_is_saved_and_the_sweep_evaluates_it(
        pipeline_settings, make_post, private_redis, pipeline_dir, django_db_blocker):
    from moderation.tasks import sweep_unevaluated
    from tests.pipeline.conftest import Worker, _test_database_url

    with celery_broker(private_redis.url):
        private_redis.stop()
        post = make_post(title="Broker down", body=body(HUMAN))

        submission = Submission.objects.get(pk=post.submission_id)
        assert submission.status == "pending" and submission.current_revision.evaluated_at is None

        private_redis.start()
        worker = Worker(database_url=_test_database_url(), redis_url=private_redis.url, directory=pipeline_dir,
                        PIPELINE_TEST_SWEEP_AFTER=0).start()
        try:
            sweep_unevaluated.delay()  # what beat sends every SWEEP interval
            wait_for(lambda: evaluated(post), timeout=30, message="the sweep to get the post evaluated")
        finally:
            worker.stop()
    assert Submission.objects.get(pk=post.submission_id).status == "published"
    assert result_rows(post) == [("disclosure_consistency", "ok"), ("scripted", "ok")]


LLM_STYLE = ("Certainly! Here's a concise overview of the key considerations. First, it's important to note that "
             "fresh fish offers a wealth of nutritional benefits, including omega-3 fatty acids and high-quality "
             "protein. Additionally, selecting fish from reputable sources ensures both quality and "
             "sustainability. Furthermore, proper storage and preparation techniques play a crucial role in "
             "preserving flavour and texture. Ultimately, by making informed choices, consumers can enjoy "
             "delicious meals while supporting healthy oceans and thriving coastal communities.")


def test_the_built_in_stack_scores_a_post_in_one_task_on_a_worker_of_every_queue(settings, make_post, pipeline_dir,
                                                                                 client, celery_worker_process):
    """The shipped configuration end to end: stylometric and the cascade, then the consistency check and the
    policy, in one task (this worker consumes the slow queue too, so it keeps the slow stage instead of
    handing it over); the author sees the passage scores on the post page."""
    from django.urls import reverse

    from tests.pipeline.conftest import Worker, _test_database_url
    from tests.pipeline.worker_settings import BUILTIN_STACK

    celery_worker_process.stop()  # the scripted worker listens on the same queues
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": BUILTIN_STACK}
    worker = Worker(database_url=_test_database_url(), redis_url=settings.REDIS_URL, directory=pipeline_dir,
                    PIPELINE_TEST_STACK="builtin").start()
    try:
        post = make_post(title="Fish", body=body(HUMAN + " " + HUMAN, LLM_STYLE), disclosure={"human_only": True})
        wait_for(lambda: evaluated(post), timeout=60, message="the built-in stack to evaluate the post",
                 diagnose=worker.log_tail)
    finally:
        worker.stop()

    assert "moderation.evaluate_revision[" in worker.log()
    assert "moderation.evaluate_revision_slow[" not in worker.log()  # -Q fast,slow,webhooks was recorded

    rows = dict(result_rows(post))
    assert rows["stylometric"] == "ok" and rows["statistical"] == "ok"
    assert rows["disclosure_consistency"] in ("ok", "insufficient_evidence")
    statistical = ClassifierResult.objects.get(revision__submission=post.submission, classifier="statistical")
    assert statistical.passage_scores and all(0 <= p["probability"] <= 1 for p in statistical.passage_scores
                                              if p["probability"] is not None)
    client.force_login(post.author)
    page = client.get(reverse("forum:post_detail", args=[post.public_id])).content.decode()
    assert "Classifier scores, passage by passage" in page and "statistical" in page
