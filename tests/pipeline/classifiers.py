"""Test classifiers, real classes registered through ``settings.MODERATION`` (in-process) and through
``tests.pipeline.worker_settings`` (in the worker subprocess).

:class:`ScriptedClassifier` reads directives from the post text, so one worker serves every scenario:

- a passage containing ``AIPROSE`` scores 0.95, any other passage 0.05;
- ``[[raise]]`` anywhere makes it raise;
- ``[[sleep]]`` makes it wait while the file ``$PIPELINE_TEST_DIR/hold`` exists (at most 30 s);
- ``[[die]]`` kills the process running it (SIGKILL), every time: a poison message;
- ``[[hang]]`` never returns by itself (until the task's time limit interrupts it);
- ``[[run:TOKEN]]`` names the run: each call appends ``<pid> <TOKEN>`` to ``$PIPELINE_TEST_DIR/started.log``
  before doing anything else, so a test knows a task is in progress and in which process.
"""
from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

from moderation.classifiers.base import Classifier, PassageScore

AI_MARK = "AIPROSE"


def test_dir() -> Path | None:
    value = os.environ.get("PIPELINE_TEST_DIR")
    return Path(value) if value else None


class ScriptedClassifier(Classifier):
    name = "scripted"
    version = "1"

    def classify(self, passages, disclosure):
        text = "\n".join(p.text for p in passages)
        directory = test_dir()
        token = re.search(r"\[\[run:([\w-]+)\]\]", text)
        if directory and token:
            with open(directory / "started.log", "a") as log:
                log.write(f"{os.getpid()} {token.group(1)}\n")
        if "[[raise]]" in text:
            raise RuntimeError("scripted failure")
        if "[[die]]" in text and directory:
            os.kill(os.getpid(), signal.SIGKILL)
        if "[[hang]]" in text and directory:
            while True:
                time.sleep(0.05)
        if "[[sleep]]" in text and directory:
            deadline = time.monotonic() + 30
            while (directory / "hold").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        scores = []
        for passage in passages:  # one score per paragraph, as a windowed detector would give
            if passage.kind not in ("author", "declared_ai", "collapsible"):
                continue
            for match in re.finditer(r"\S(?:.*?\S)?(?=\n\s*\n|\s*$)", passage.text, re.S):
                marked = AI_MARK in match.group()
                scores.append(PassageScore(
                    start=passage.body_offset(match.start()), end=passage.body_offset(match.end() - 1) + 1,
                    kind=passage.kind, probability=0.95 if marked else 0.05,
                    features={"scripted_mark": 1.0 if marked else 0.0}))
        if not scores:
            return self.output(status="insufficient_evidence")
        return self.output(status="ok", score=max(s.probability for s in scores), passages=scores)


class ExplodingClassifier(Classifier):
    """Always raises: the pipeline must store an error, never a clean result."""

    name = "exploding"
    version = "1"

    def classify(self, passages, disclosure):
        raise ValueError("model file missing")


STACK = ["tests.pipeline.classifiers.ScriptedClassifier",
         "moderation.classifiers.consistency.DisclosureConsistencyClassifier"]


class ScriptedV2(ScriptedClassifier):
    """The same classifier after an upgrade: a new version, so existing revisions lack its results."""

    version = "2"


class SlowScripted(ScriptedClassifier):
    """A language-model stage: runs on the slow queue."""

    name = "slow_scripted"
    queue = "slow"


class SlowOnLongText(SlowScripted):
    """A language-model stage that has nothing to do on a text of under 20 words (runs on the fast queue)."""

    name = "slow_on_long_text"

    def queue_for(self, passages):
        return "fast" if sum(len(p.text.split()) for p in passages) < 20 else self.queue_name


class FlakyClassifier(Classifier):
    """Fails while ``FlakyClassifier.failing`` is true (a remote service that comes back)."""

    name = "flaky"
    version = "1"
    failing = True

    def classify(self, passages, disclosure):
        if FlakyClassifier.failing:
            raise ConnectionError("service unavailable")
        return self.output(status="ok", score=0.1, passages=[
            PassageScore(start=p.start, end=p.end, kind=p.kind, probability=0.1) for p in passages])


class DyingClassifier(ScriptedClassifier):
    """Kills its process on a text containing DIE (a segfault or the OOM killer, as the parent sees it)."""

    name = "dying"

    def classify(self, passages, disclosure):
        if any("DIE" in p.text for p in passages):
            os._exit(3)
        return super().classify(passages, disclosure)
