"""The classifier plugin contract.

A classifier receives the parsed passages of one revision and its disclosure, and returns a
:class:`ClassifierOutput`. Classifiers flag with evidence; they never decide anything: the policy reads
their outputs and a person decides. A classifier that cannot judge says ``insufficient_evidence``; one
that fails says ``error`` (the pipeline stores it and queues the post for a human). Offsets are code-point
indices into the post body, so the moderator view can highlight exactly what was scored.
"""
from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from disclosure.blocks import Passage
from disclosure.schema import Disclosure

#: ``skipped`` is written by the pipeline's scan-cost policy, never returned by a classifier.
Status = Literal["ok", "insufficient_evidence", "error", "skipped"]


#: The highest score anything downstream compares a passage with while this text is classified (a forum's
#: calibrated threshold, a policy rule's ``passage_score_at_least``): a classifier may stop gathering costly
#: evidence once some passage reaches it, since no further passage can change a decision. None: unknown.
_EVIDENCE_BAR: ContextVar[float | None] = ContextVar("evidence_bar", default=None)


@contextmanager
def evidence_bar(value: float | None) -> Iterator[None]:
    """Classify under this evidence bar (see :func:`current_evidence_bar`)."""
    token = _EVIDENCE_BAR.set(value)
    try:
        yield
    finally:
        _EVIDENCE_BAR.reset(token)


def current_evidence_bar() -> float | None:
    """The evidence bar the pipeline set for the text being classified (None outside it)."""
    return _EVIDENCE_BAR.get()


class Span(BaseModel):
    start: int
    end: int
    probability: float | None = Field(default=None, ge=0, le=1)
    label: str = ""


class PassageScore(BaseModel):
    start: int
    end: int
    kind: str = "author"
    probability: float | None = Field(default=None, ge=0, le=1)
    status: Literal["ok", "insufficient_evidence", "skipped", "error"] = "ok"
    #: The features that drove the score, strongest first (what a moderator needs to judge the flag).
    features: dict[str, float] = Field(default_factory=dict)
    spans: list[Span] = Field(default_factory=list)
    stage: str = ""


class ClassifierOutput(BaseModel):
    classifier: str
    version: str
    status: Status
    score: float | None = Field(default=None, ge=0, le=1, description="Post-level AI probability.")
    passages: list[PassageScore] = Field(default_factory=list)
    latency_ms: float = 0.0
    error: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class Classifier:
    """Subclass, set ``name`` and ``version``, implement :meth:`classify`; register by dotted path."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    #: True for classifiers that wait on the network; the pipeline runs those in parallel.
    does_io: ClassVar[bool] = False
    #: True for classifiers that send post text to a third party (off unless the operator allows it).
    sends_text_off_site: ClassVar[bool] = False
    #: True for classifiers that judge the other classifiers' outputs (e.g. disclosure consistency): the
    #: pipeline runs them after all the others and calls :meth:`classify_with_results` instead of
    #: :meth:`classify`. Their stored row is recomputed when its inputs change (see ``details["inputs"]``).
    needs_results: ClassVar[bool] = False
    #: The Celery queue whose worker runs this classifier: ``fast`` or ``slow`` (a language-model stage).
    #: ``{"options": {"queue": "slow"}}`` in settings overrides it per deployment.
    queue: ClassVar[str] = "fast"

    def __init__(self, **options: Any):
        self.options = options

    @property
    def queue_name(self) -> str:
        return str(self.options.get("queue") or self.queue)

    def queue_for(self, passages: Sequence[Passage]) -> str:
        """The queue that runs this classifier on these passages: :attr:`queue_name`, unless a slow-queue
        classifier knows that its slow stage would not look at them (e.g. too few words for its model); then
        ``"fast"``, and the post is decided without a hand-over to the slow queue."""
        return self.queue_name

    def classify(self, passages: Sequence[Passage], disclosure: Disclosure | None) -> ClassifierOutput:
        raise NotImplementedError

    def classify_with_results(self, passages: Sequence[Passage], disclosure: Disclosure | None,
                              results: Sequence[ClassifierOutput]) -> ClassifierOutput:
        """For ``needs_results`` classifiers: ``results`` are the other classifiers' outputs on this text."""
        raise NotImplementedError

    def run(self, passages: Sequence[Passage], disclosure: Disclosure | None,
            results: Sequence[ClassifierOutput] | None = None) -> ClassifierOutput:
        """Call :meth:`classify` (or :meth:`classify_with_results`), timing it and turning any exception
        into an ``error`` output."""
        started = time.perf_counter()
        try:
            if self.needs_results:
                output = self.classify_with_results(passages, disclosure, list(results or []))
            else:
                output = self.classify(passages, disclosure)
        except Exception as exc:  # a broken classifier must be stored and surfaced, not crash the pipeline
            output = self.output(status="error", error=f"{type(exc).__name__}: {exc}"[:2000])
        output.latency_ms = round((time.perf_counter() - started) * 1000, 3)
        return output

    def output(self, **fields: Any) -> ClassifierOutput:
        return ClassifierOutput(classifier=self.name, version=str(self.version), **fields)
