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
def consuming(monkeypatch):
    """Start-up as ``celery worker -Q`` would record it: the queues this process consumes."""
    def select(*suffixes):
        prefix = tasks.evaluate_revision.app.conf.task_default_queue.rsplit(".", 1)[0]
        monkeypatch.setattr(tasks, "consumed_queues", frozenset(f"{prefix}.{s}" for s in suffixes))

    return select


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


def test_outside_a_worker_the_slow_stage_is_handed_over_even_after_a_route_named_its_queue(settings, make_post,
                                                                                          sent):
    """Celery 5.6 lists every queue a route has named as consumed by a process that selected none; the
    decision must come from what the worker consumed at start-up, not from that list."""
    use(settings, *STACK, SLOW)
    post = make_post(body=BODY)
    tasks.evaluate_revision_slow.app.amqp.router.route({}, tasks.evaluate_revision_slow.name)
    revision = post.submission.current_revision

    tasks.evaluate_revision(revision.pk, revision.content_hash)

    assert [call["queue"] for call in sent] == ["slow"]
