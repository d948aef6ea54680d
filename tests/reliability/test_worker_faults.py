"""Faults with real PostgreSQL, Redis and Celery workers, each followed by a count of what survived: every
submission has exactly one evaluation, no decision is lost or written twice.

(A pool child or the whole worker SIGKILLed mid-task, and Redis down at submit time, are in
tests/pipeline/test_worker.py, marked ``reliability`` too.)
"""
from __future__ import annotations

import os
import time
import uuid
from collections import Counter

import pytest

from moderation.models import ClassifierResult, Evaluation, ReviewItem, Revision, Submission
from tests.pipeline.conftest import Worker, _test_database_url, celery_broker, wait_for

pytestmark = [pytest.mark.reliability, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

HUMAN = "I keep bees on the roof of the library; this spring the second hive swarmed into the linden tree."
MAX_ATTEMPTS = 2


def body(*paragraphs: str, token: str) -> str:
    return "\n\n".join([*paragraphs, f"Run [[run:{token}]]."])


def evaluated(post) -> bool:
    return Revision.objects.filter(pk=post.submission.current_revision_id, evaluated_at__isnull=False).exists()


@pytest.fixture(scope="module")
def fault_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """A worker that gives up after 2 runs of one revision and stops a task after 5 s (soft limit 4 s)."""
    from django.conf import settings

    import redis

    directory = tmp_path_factory.mktemp("faults")
    with django_db_blocker.unblock():
        url = _test_database_url()
    prefix = __import__("os").environ["CELERY_QUEUE_PREFIX"]
    redis.Redis.from_url(settings.REDIS_URL).delete(f"{prefix}.fast", f"{prefix}.slow")
    worker = Worker(database_url=url, redis_url=settings.REDIS_URL, directory=directory,
                    PIPELINE_TEST_MAX_ATTEMPTS=MAX_ATTEMPTS, PIPELINE_TEST_TIME_LIMIT=5)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def stack(settings, fault_worker, monkeypatch):
    from moderation.tasks import evaluate_revision, evaluate_revision_slow
    from tests.pipeline.classifiers import STACK

    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": STACK, "MAX_EVALUATION_ATTEMPTS": MAX_ATTEMPTS}
    for task in (evaluate_revision, evaluate_revision_slow):  # the sender's limits travel in the message
        monkeypatch.setattr(task, "time_limit", 5)
        monkeypatch.setattr(task, "soft_time_limit", 4)
        monkeypatch.setattr(task, "_exec_options", None)  # Celery caches the options of the first send
    return fault_worker


def pipeline_state(redis_server, worker) -> str:
    """What a failure message needs: how many revisions wait, what the broker holds, the worker's last lines."""
    waiting = Revision.objects.filter(evaluated_at__isnull=True)
    sent = waiting.filter(enqueued_at__isnull=False).count()
    if redis_server.ping():
        import redis

        queue = f"{os.environ['CELERY_QUEUE_PREFIX']}.fast"
        broker = f"{redis.Redis.from_url(redis_server.url).llen(queue)} messages in {queue}"
    else:
        broker = "Redis is down"
    return f"{waiting.count()} revisions unevaluated ({sent} of them sent); {broker}\n{worker.log_tail()}"


def all_evaluated() -> bool:
    """True once no revision waits; otherwise runs the sweep (what beat runs every 30 s) and says False."""
    from moderation.services.evaluation import revisions_sweep_unevaluated

    if not Revision.objects.filter(evaluated_at__isnull=True).exists():
        return True
    revisions_sweep_unevaluated()
    return False


def started(worker, token: str) -> int:
    path = worker.directory / "started.log"
    return sum(1 for line in path.read_text().splitlines() if line.endswith(f" {token}")) if path.exists() else 0


def test_a_poison_message_gives_up_after_n_attempts_stores_an_error_and_holds_the_post(stack, make_post):
    token = uuid.uuid4().hex[:10]
    post = make_post(title="Poison", body=body(HUMAN, "[[die]]", token=token))
    wait_for(lambda: evaluated(post), timeout=90, message="the pipeline to give up on the poison message")
    time.sleep(3)  # a further redelivery, if any, would show up in the start log now

    assert started(stack, token) == MAX_ATTEMPTS  # two runs killed their process; the third was not run
    assert stack.running, "the worker survives its children being killed"
    revision = Revision.objects.get(pk=post.submission.current_revision_id)
    assert revision.evaluation_attempts == MAX_ATTEMPTS + 1
    [evaluation] = Evaluation.objects.filter(revision=revision)
    assert evaluation.outcome == "hold" and evaluation.reasons == ["evaluation_gave_up"]
    error = ClassifierResult.objects.get(revision=revision, classifier="scripted")
    assert error.status == "error" and "gave up after 3 evaluation attempts" in error.error
    submission = Submission.objects.get(pk=post.submission_id)
    assert submission.status == "queued" and submission.visible is False
    [item] = ReviewItem.objects.filter(submission=submission)
    assert item.status == "open" and item.reasons == ["evaluation_gave_up"]


def test_a_hanging_classifier_is_stopped_by_the_time_limit_and_a_person_decides(stack, make_post):
    token = uuid.uuid4().hex[:10]
    started_at = time.monotonic()
    post = make_post(title="Hangs", body=body(HUMAN, "[[hang]]", token=token))
    wait_for(lambda: evaluated(post), timeout=60, message="the hanging classifier to be stopped")
    elapsed = time.monotonic() - started_at

    assert 3 < elapsed < 30, elapsed  # the soft time limit (4 s), not the classifier, ended the run
    revision = Revision.objects.get(pk=post.submission.current_revision_id)
    assert Evaluation.objects.filter(revision=revision).count() == 1
    error = ClassifierResult.objects.get(revision=revision, classifier="scripted")
    assert error.status == "error" and "SoftTimeLimitExceeded" in error.error
    item = ReviewItem.objects.get(submission=post.submission)
    assert item.status == "open" and "classifier_failed" in item.reasons


def test_redis_restarted_during_200_submissions_loses_no_post(settings, make_post, private_redis, tmp_path):
    """A private Redis (no persistence) is stopped after 60 posts and started again after 130: what was queued
    in it is gone, posts made while it was down could not be queued; the sweep finds them all (a lost message
    is re-sent ``SWEEP_RESEND_AFTER_SECONDS`` after it was sent: 0 here, 10 minutes by default)."""
    from tests.pipeline.classifiers import STACK

    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": STACK, "SWEEP_AFTER_SECONDS": 0,
                           "SWEEP_RESEND_AFTER_SECONDS": 0}
    posts = []
    with celery_broker(private_redis.url):
        worker = Worker(database_url=_test_database_url(), redis_url=private_redis.url, directory=tmp_path,
                        PIPELINE_TEST_SWEEP_AFTER=0).start()
        try:
            started_at = time.monotonic()
            for n in range(200):
                if n == 60:
                    private_redis.stop()
                if n == 130:
                    private_redis.start()
                posts.append(make_post(title=f"Post {n}", body=f"{HUMAN} Number {n}."))
            submit_seconds = time.monotonic() - started_at

            wait_for(all_evaluated, timeout=180, interval=3, message="every post to be evaluated",
                     diagnose=lambda: pipeline_state(private_redis, worker))
        finally:
            worker.stop()

    assert len(posts) == 200 and Submission.objects.count() == 200
    assert submit_seconds < 120, submit_seconds  # an enqueue to a dead Redis fails fast
    per_revision = Counter(Evaluation.objects.values_list("revision_id", flat=True))
    assert len(per_revision) == 200 and set(per_revision.values()) == {1}
    per_result = Counter(ClassifierResult.objects.values_list("revision_id", "classifier"))
    assert set(per_result.values()) == {1}  # no classifier ran twice into a second row


def test_a_worker_busy_when_redis_goes_away_reconnects_and_the_work_is_done(settings, make_post, private_redis,
                                                                           tmp_path):
    """Redis stops while a task runs (its message unacknowledged) and comes back. The worker must reconnect,
    not exit: Celery 5.7.0 exits here ("Unrecoverable error: AttributeError ... 'hostname'" while it restores
    the unacknowledged message of a connection it has already closed), which is why pyproject.toml keeps
    Celery below 5.7. A worker that exited would leave every later post unevaluated until someone restarted it."""
    from tests.pipeline.classifiers import STACK

    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": STACK, "SWEEP_AFTER_SECONDS": 0,
                           "SWEEP_RESEND_AFTER_SECONDS": 0}
    token = uuid.uuid4().hex[:10]
    with celery_broker(private_redis.url):
        worker = Worker(database_url=_test_database_url(), redis_url=private_redis.url, directory=tmp_path,
                        PIPELINE_TEST_SWEEP_AFTER=0).start()
        (tmp_path / "hold").touch()
        try:
            busy = make_post(title="Busy", body=body(HUMAN, "[[sleep]]", token=token))
            wait_for(lambda: started(worker, token), timeout=60, message="the classifier to start",
                     diagnose=worker.log_tail)
            private_redis.stop()
            wait_for(lambda: "Connection to broker lost" in worker.log() or not worker.running, timeout=30,
                     message="the worker to notice", diagnose=worker.log_tail)
            private_redis.start()
            (tmp_path / "hold").unlink()
            later = make_post(title="After the restart", body=body(HUMAN, token=f"{token}-later"))
            wait_for(lambda: not worker.running or all_evaluated(), timeout=120, interval=2,
                     message="both posts to be evaluated", diagnose=lambda: pipeline_state(private_redis, worker))
            assert worker.running, f"the worker exited instead of reconnecting\n{worker.log_tail()}"
        finally:
            (tmp_path / "hold").unlink(missing_ok=True)
            worker.stop()

    assert "Unrecoverable error" not in worker.log()
    for post in (busy, later):
        assert Evaluation.objects.filter(revision__submission=post.submission).count() == 1
        assert Submission.objects.get(pk=post.submission_id).status == "published"
