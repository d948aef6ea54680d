"""``Idempotency-Key``: a retried request gets the first answer again instead of doing the work twice.

Semantics follow the IETF draft "The Idempotency-Key HTTP Header Field":

- the same key with the same request (method, path, canonical JSON body) within 24 hours → the stored answer,
  with ``Idempotent-Replayed: true``;
- the same key with a different request → **422**;
- the same key while the first request is still being answered → **409** (retry later).

Only successful answers are stored: a request refused with 4xx leaves no record, so the client can fix it and
retry with the same key.

This module is the service (reserve, finish, abandon, prune); the HTTP side, reading the header and
answering, is the ``@idempotent`` view decorator in :mod:`moderation.api.idempotency`. Pruning runs on beat as
its own task (``moderation.prune_idempotency_records``).
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import ApiClient, IdempotencyRecord

TTL = timedelta(hours=24)
#: a request still "being answered" after this long died on the way (its process was killed between reserving
#: the key and storing or abandoning it): its key is free again, or it would answer 409 for a whole TTL
IN_FLIGHT_TTL = timedelta(minutes=10)
MAX_KEY_LENGTH = 200


class IdempotencyError(Exception):
    def __init__(self, message: str, *, status_code: int):
        super().__init__(message)
        self.message = message
        self.status_code = status_code


@dataclass
class Replay:
    status_code: int
    body: dict


def idempotency_key_valid(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and all(33 <= ord(c) <= 126 for c in key)


def request_fingerprint(*, method: str, path: str, data) -> str:
    """A keyed hash (HMAC with ``SECRET_KEY``) of the request: a plain hash of a short body (an author's id, a
    one-line note) could be guessed back from the stored record."""
    canonical = json.dumps([method.upper(), path, data], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(settings.SECRET_KEY.encode(), canonical.encode("utf-8", "surrogatepass"),
                    hashlib.sha256).hexdigest()


def idempotency_begin(*, client: ApiClient, key: str, fingerprint: str) -> IdempotencyRecord | Replay:
    """Reserve ``key`` for this request, or return the stored answer. Raises :class:`IdempotencyError`."""
    for _ in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(client=client, key=key, request_hash=fingerprint)
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(client=client, key=key).first()
            if existing is None:
                continue  # deleted meanwhile: try again
            if existing.created_at < timezone.now() - TTL:
                IdempotencyRecord.objects.filter(pk=existing.pk).delete()
                continue
            if existing.request_hash != fingerprint:
                raise IdempotencyError("This Idempotency-Key was already used with a different request. Use a new "
                                       "key for a new request.", status_code=422) from None
            if existing.response_status == 0 and existing.created_at < timezone.now() - IN_FLIGHT_TTL:
                IdempotencyRecord.objects.filter(pk=existing.pk, response_status=0).delete()
                continue
            if existing.response_status == 0:
                raise IdempotencyError("A request with this Idempotency-Key is still being processed; retry in "
                                       "a moment.", status_code=409) from None
            return Replay(existing.response_status, existing.response_body)
    raise IdempotencyError("This Idempotency-Key is busy; retry in a moment.", status_code=409)


def idempotency_finish(*, record: IdempotencyRecord, status_code: int, body: dict) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(response_status=status_code, response_body=body)


def idempotency_abandon(*, record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk, response_status=0).delete()


def idempotency_records_prune() -> int:
    """Delete records older than the TTL (the ``moderation.prune_idempotency_records`` beat task)."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - TTL).delete()
    return deleted
