"""A worker that consumes the slow queue too finishes a post's slow stage in the same task; a fast-only worker
hands it over, so fast decisions never wait behind the language model."""
from __future__ import annotations

import pytest

from moderation import tasks
from moderation.models import ClassifierResult, Evaluation
from tests.pipeline.test_evaluation import BODY, use
from tests.pipeline.classifiers import STACK

pytestmark = pytest.mark.django_db

SLOW = "tests.pipeline.classifiers.SlowScripted"


@pytest.fixture
def consuming():
    """Select the worker's queues as ``celery worker -Q`` does, and restore them afterwards."""
    queues = tasks.evaluate_revision.app.amqp.queues
    before = dict(queues.consume_from) if queues.consume_from else None

    def select(*suffixes):
        prefix = tasks.evaluate_revision.app.conf.task_default_queue.rsplit(".", 1)[0]
        queues.select([f"{prefix}.{s}" for s in suffixes])

    yield select
    if before is None:
        queues.consume_from = None
    else:
        queues.select(list(before))


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks, "revision_enqueue", lambda **kw: calls.append(kw) or True)
    return calls


def test_a_worker_on_both_queues_decides_the_post_in_one_task(settings, make_post, consuming, sent):
    use(settings, *STACK, SLOW)
    post = make_post(body=BODY)
    consuming("fast", "slow", "webhooks")
    revision = post.submission.current_revision

    tasks.evaluate_revision(revision.pk, revision.content_hash)

    assert sent == []
    assert Evaluation.objects.filter(revision=revision).exists()
    assert "slow_scripted" in set(ClassifierResult.objects.values_list("classifier", flat=True))


def test_a_fast_only_worker_hands_the_slow_stage_over(settings, make_post, consuming, sent):
    use(settings, *STACK, SLOW)
    post = make_post(body=BODY)
    consuming("fast", "webhooks")
    revision = post.submission.current_revision

    tasks.evaluate_revision(revision.pk, revision.content_hash)

    assert [c["queue"] for c in sent] == ["slow"]
    assert not Evaluation.objects.filter(revision=revision).exists()
