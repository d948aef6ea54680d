"""The classifier log: every attempt of every classifier on a revision is a row, and rows are never rewritten.

An error is kept when a retry succeeds (the retry is a new row with ``attempt`` + 1); a moderator's mark is a
:class:`~moderation.models.ResultMark` row, not an edit of the result; what was sent to the classifier is
recorded with the attempt: for a remote classifier the SHA-256 and size of the request body (the text left
this server, and the log proves what it was without keeping a second copy), for a local one the passages it
was given (offsets into the stored body, so the input can be rebuilt).

Rows are never rewritten, with one exception: erasing an author (services/erasure.py) blanks what classifiers
wrote about the text in words (:func:`classifier_results_erase`).

"The current result" of a classifier version on a revision is its usable row (``ok``,
``insufficient_evidence`` or ``skipped``), else its newest error: ``results_current`` in
``moderation/selectors/results.py``.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction

from ..models import ClassifierResult, Revision
from ..selectors.results import USABLE


def request_fingerprint(payload: Any, *, remote: bool) -> dict[str, Any]:
    """``{"remote", "sha256", "bytes"}`` of a request payload: JSON encoded exactly as httpx's ``json=`` sends
    it, so the hash is the hash of the body that went over the wire."""
    if isinstance(payload, (bytes, bytearray)):
        raw = bytes(payload)
    elif isinstance(payload, str):
        raw = payload.encode()
    else:
        raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                         default=str).encode("utf-8")
    return {"remote": remote, "sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw)}


def local_request(passages: Sequence[Any]) -> dict[str, Any]:
    """What a local classifier is given: the passages (offsets, kind, declared model), kept in full."""
    payload = {"passages": [{"start": p.start, "end": p.end, "kind": p.kind,
                             "model": getattr(p, "model", None)} for p in passages]}
    return {**request_fingerprint(payload, remote=False), "payload": payload}


def classifier_result_store(*, revision: Revision, output, replace: bool = False,
                            request: dict | None = None) -> ClassifierResult:
    """Append one attempt to the log and return the row that now stands for this classifier version.

    A usable row already stored for the same inputs is returned as it is (a duplicate delivery, a
    concurrent run): an ``ok`` verdict is never replaced. Anything else (the first attempt, a retry after an
    error, a derived classifier whose inputs changed: ``replace``) becomes a new row. ``request`` is what the
    pipeline handed a local classifier; a remote classifier reports its own in ``details["request"]``.
    """
    details = dict(output.details or {})
    sent = details.pop("request", None) or request or {}
    inputs_key = str(details.get("inputs_key") or "") if replace else ""
    fields = {
        "status": output.status,
        "score": output.score,
        "passage_scores": [p.model_dump(mode="json") for p in output.passages],
        "details": details,
        "latency_ms": output.latency_ms,
        "error": output.error or "",
        "request": sent,
    }
    with transaction.atomic():
        rows = ClassifierResult.objects.select_for_update().filter(
            revision=revision, classifier=output.classifier, version=output.version)
        existing = [r for r in rows.order_by("-id") if r.status in USABLE and r.inputs_key == inputs_key]
        if existing:
            return existing[0]
        attempt = rows.count() + 1
        try:
            with transaction.atomic():
                return ClassifierResult.objects.create(revision=revision, classifier=output.classifier,
                                                       version=output.version, attempt=attempt,
                                                       inputs_key=inputs_key, **fields)
        except IntegrityError:  # a concurrent run stored a usable row first: that one stands
            return ClassifierResult.objects.filter(
                revision=revision, classifier=output.classifier, version=output.version, inputs_key=inputs_key,
                status__in=USABLE).order_by("-id").first()


def classifier_results_erase(*, revision_ids: list[int]) -> None:
    """What classifiers wrote about the text in words (an LLM judge's reasons, a remote API's span labels,
    which quote or paraphrase it): the scores and offsets stay."""
    for result in ClassifierResult.objects.filter(revision_id__in=revision_ids).only("pk", "details",
                                                                                     "passage_scores"):
        details = {**result.details, "reasons": []} if (result.details or {}).get("reasons") else result.details
        passages = [{**p, "spans": [{**span, "label": ""} if isinstance(span, dict) else span
                                    for span in p["spans"]]}
                    if isinstance(p, dict) and isinstance(p.get("spans"), list) else p
                    for p in (result.passage_scores or [])]
        if details != result.details or passages != result.passage_scores:
            ClassifierResult.objects.filter(pk=result.pk).update(details=details, passage_scores=passages)
