"""The beat sweep re-sends a revision only when its message may be lost, not while it waits in the queue.

Beat runs the sweep every 30 s. It used to send every current revision left unevaluated for
``SWEEP_AFTER_SECONDS`` (60 s), whether or not a message for it was already queued: behind a backlog of
ten minutes each post got ~19 duplicate messages, every one counted as an evaluation attempt (so a post
on the slow queue could be given up on as a poison message). Now a revision the broker accepted is sent
again only ``SWEEP_RESEND_AFTER_SECONDS`` after its last send; one the broker refused is swept as before.
Task sends are counted at the one place every send goes through (``services.enqueue.task_send``).
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from moderation.models import Evaluation, Revision
from moderation.services.evaluation import revisions_sweep_unevaluated

pytestmark = [pytest.mark.reliability, pytest.mark.django_db]

BEAT_SECONDS = 30


@pytest.fixture
def sends(monkeypatch, classifiers):
    """Every task send, as (task name, revision id); nothing reaches the broker."""
    sent: list[tuple[str, int]] = []
    monkeypatch.setattr("moderation.services.enqueue.task_send", lambda name, *args: sent.append((name, args[0])))
    return sent


def sweeps(clock, *, minutes: float) -> int:
    """Run the sweep every 30 s for ``minutes``, as beat does; how many revisions it sent in all."""
    total = 0
    for _ in range(int(minutes * 60 / BEAT_SECONDS)):
        clock.shift(timedelta(seconds=BEAT_SECONDS))
        total += revisions_sweep_unevaluated()
    return total


def test_a_revision_waiting_in_a_ten_minute_backlog_is_not_sent_again(sends, make_post, settings):
    settings.MODERATION = {**settings.MODERATION, "SWEEP_RESEND_AFTER_SECONDS": 15 * 60}
    with time_machine.travel(timezone.now(), tick=False) as clock:
        post = make_post(title="Waiting")
        assert len(sends) == 1  # intake, after commit

        resent = sweeps(clock, minutes=10)

    assert resent == 0 and len(sends) == 1  # was 19 sends more


def test_a_message_lost_with_the_broker_is_sent_again_once_after_the_resend_bound(sends, make_post, settings):
    settings.MODERATION = {**settings.MODERATION, "SWEEP_RESEND_AFTER_SECONDS": 5 * 60}
    with time_machine.travel(timezone.now(), tick=False) as clock:
        post = make_post(title="Lost")  # its message is gone: nothing ever evaluates it

        resent = sweeps(clock, minutes=12)

    revision_id = post.submission.current_revision_id
    assert resent == 2 and [r for _, r in sends] == [revision_id] * 3  # intake, then at 5 and 10 minutes


def test_a_post_the_broker_refused_is_swept_once(monkeypatch, classifiers, make_post):
    def broker_down(name, *args):
        raise ConnectionError("broker down")

    monkeypatch.setattr("moderation.services.enqueue.task_send", broker_down)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        post = make_post(title="Refused")
        sent: list[int] = []
        monkeypatch.setattr("moderation.services.enqueue.task_send", lambda name, *args: sent.append(args[0]))

        resent = sweeps(clock, minutes=1.5)  # sent once, at the first beat after SWEEP_AFTER_SECONDS

    assert resent == 1 and sent == [post.submission.current_revision_id]
    assert Revision.objects.get(pk=post.submission.current_revision_id).enqueued_at is not None


def test_a_duplicate_delivery_after_a_resend_is_still_harmless(sends, make_post, settings):
    from moderation.tasks import evaluate_revision

    settings.MODERATION = {**settings.MODERATION, "SWEEP_RESEND_AFTER_SECONDS": 60}
    with time_machine.travel(timezone.now(), tick=False) as clock:
        post = make_post(title="Slow, not lost")
        sweeps(clock, minutes=2)
    revision = Revision.objects.get(pk=post.submission.current_revision_id)

    for _ in sends:  # the original and the re-sent message are both delivered in the end
        evaluate_revision(revision.pk, revision.content_hash)

    assert len(sends) >= 2 and Evaluation.objects.filter(revision=revision).count() == 1


def test_a_bad_resend_bound_is_reported_at_start_up(settings):
    from django.core.checks import run_checks

    settings.MODERATION = {**settings.MODERATION, "SWEEP_RESEND_AFTER_SECONDS": "ten minutes"}

    messages = [e.msg for e in run_checks() if e.id == "moderation.E006"]

    assert messages == ["MODERATION['SWEEP_RESEND_AFTER_SECONDS'] must be a number of seconds (0 or more), "
                        "not 'ten minutes'."]


def test_a_revision_handed_to_the_slow_queue_counts_from_the_hand_over(sends, make_post, settings):
    """The fast run hands a language-model stage to the slow queue; that send is recorded too, so a long
    slow backlog is not answered with fast re-sends (each would hand over to the slow queue once more)."""
    from moderation.tasks import evaluate_revision
    from tests.pipeline.classifiers import STACK

    settings.MODERATION = {**settings.MODERATION, "SWEEP_RESEND_AFTER_SECONDS": 10 * 60,
                           "CLASSIFIERS": [*STACK, "tests.pipeline.classifiers.SlowScripted"]}
    with time_machine.travel(timezone.now(), tick=False) as clock:
        post = make_post(title="Long", body="A plain paragraph I wrote about my allotment, the slugs, the rain, "
                                            "and the one courgette that survived the summer against all odds.")
        clock.shift(timedelta(minutes=8))  # a fast backlog
        revision = Revision.objects.get(pk=post.submission.current_revision_id)
        evaluate_revision(revision.pk, revision.content_hash)  # hands over to the slow queue
        assert [name for name, _ in sends] == ["moderation.evaluate_revision", "moderation.evaluate_revision_slow"]

        resent = sweeps(clock, minutes=8)  # the slow queue is long too

    assert resent == 0 and len(sends) == 2


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e20])
def test_a_sweep_bound_no_timedelta_can_hold_is_reported_at_start_up(settings, value):
    """Such a bound passed the check and then failed every beat's sweep (``timedelta`` raises ValueError on
    NaN and OverflowError past ~2.7 million years), so no revision was ever swept."""
    from django.core.checks import run_checks

    settings.MODERATION = {**settings.MODERATION, "SWEEP_AFTER_SECONDS": value}

    assert [e.id for e in run_checks() if e.id == "moderation.E006"] == ["moderation.E006"]
