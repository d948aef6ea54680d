"""A new Celery pool process lowers its CPU priority and loads the classifiers' models before it takes its
first task.

Without the warm-up the first post each pool process receives waits for the model loads (the language model
takes seconds idle, 20 s and more on a busy machine), and every post queued behind it waits too. Without the
lower priority, classifiers compete with the web process for the CPU and "submit" slows down under load.
"""
from __future__ import annotations

import multiprocessing
import os

import pytest
from celery.signals import worker_process_init

import moderation.tasks  # noqa: F401  (as in a worker: its signal receivers are connected)

from moderation.classifiers.base import Classifier
from moderation.services.evaluation import WARM_UP_TEXT, classifiers_warm_up

CALLS: list[tuple[str, str]] = []


class Local(Classifier):
    name = "local"

    def classify(self, passages, disclosure):
        CALLS.append((self.name, "\n\n".join(p.text for p in passages)))
        return self.output(status="insufficient_evidence")


class Broken(Local):
    name = "broken"

    def classify(self, passages, disclosure):
        CALLS.append((self.name, ""))
        raise RuntimeError("model file missing")


class Remote(Local):
    name = "remote"
    does_io = True


class Derived(Local):
    name = "derived"
    needs_results = True

    def classify_with_results(self, passages, disclosure, results):
        CALLS.append((self.name, ""))
        return self.output(status="insufficient_evidence")


@pytest.fixture
def stack(settings):
    CALLS.clear()
    here = __name__
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": [
        f"{here}.Local", f"{here}.Broken", f"{here}.Remote", f"{here}.Derived"]}
    yield
    CALLS.clear()


def test_a_new_pool_process_runs_each_local_classifier_once_before_any_task(stack, db):
    worker_process_init.send(sender=None)

    assert [name for name, _ in CALLS] == ["local", "broken"]
    assert CALLS[0][1].split() == WARM_UP_TEXT.split()


def test_warm_up_skips_network_and_derived_classifiers_and_survives_a_broken_one(stack, caplog):
    assert classifiers_warm_up() == ["local", "broken"]
    assert "warming up classifier broken failed" in caplog.text


def test_the_warm_up_text_is_long_enough_for_the_detector_to_reach_its_windows():
    assert len(WARM_UP_TEXT.split()) >= 100


def _pool_process_priority(queue, niceness):
    from django.conf import settings

    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": [], "WORKER_NICENESS": niceness}
    worker_process_init.send(sender=None)
    queue.put(os.getpriority(os.PRIO_PROCESS, 0))


@pytest.mark.parametrize("niceness, expected", [(10, 10), (0, 0)])
def test_a_pool_process_runs_at_the_configured_lower_priority(niceness, expected):
    ctx = multiprocessing.get_context("fork")  # a child of the test run, as a pool process is of its worker
    queue = ctx.Queue()
    child = ctx.Process(target=_pool_process_priority, args=(queue, niceness))
    child.start()
    priority = queue.get(timeout=30)
    child.join(10)
    assert priority == max(expected, os.getpriority(os.PRIO_PROCESS, 0))
