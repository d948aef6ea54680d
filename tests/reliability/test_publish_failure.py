"""A post submitted while Redis is briefly away waits for the sweep, and for how long.

The intake sends the evaluation after commit; a refused connection fails the send at once (the publish
retry policy allows one immediate retry, so a blip of even 0.1 s is enough), the post stays saved with no
recorded send (``Revision.enqueued_at`` null) and the beat sweep (every 30 s) sends it once it is
``SWEEP_AFTER_SECONDS`` old. The post therefore waits at most ``SWEEP_AFTER_SECONDS`` + 30 s: 90 s with the
old 60 s default, 40 s now that the sweep can tell a send that failed from one still waiting in the queue.
"""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from moderation.models import Revision
from moderation.services.evaluation import revisions_sweep_unevaluated
from tests.pipeline.conftest import celery_broker

pytestmark = [pytest.mark.reliability, pytest.mark.django_db]

BEAT_SECONDS = 30


def test_a_post_submitted_during_a_redis_blip_is_sent_by_the_sweep_within_40_seconds(
        classifiers, make_post, private_redis, monkeypatch):
    with celery_broker(private_redis.url), time_machine.travel(timezone.now(), tick=False) as clock:
        make_post(title="Before the blip")  # the connection pool is warm
        private_redis.stop()
        started = time.monotonic()
        post = make_post(title="During the blip")
        submit_seconds = time.monotonic() - started
        private_redis.start()  # back a moment later
        revision = Revision.objects.get(pk=post.submission.current_revision_id)
        assert revision.enqueued_at is None  # the send failed: nothing is waiting in the queue

        sent_at = []
        monkeypatch.setattr("moderation.services.enqueue.task_send",
                            lambda name, *args: sent_at.append(timezone.now() - revision.created_at))
        for _ in range(6):  # three minutes of beat
            clock.shift(timedelta(seconds=BEAT_SECONDS))
            revisions_sweep_unevaluated()

    assert submit_seconds < 1.0  # a refused connection fails fast; the submit is answered
    assert len(sent_at) == 1 and sent_at[0] <= timedelta(seconds=40), sent_at  # was 60 s (90 s at worst)
