"""``@idempotent``: the HTTP side of ``Idempotency-Key`` (the rules and the storage are the service,
:mod:`moderation.services.idempotency`).

Decorate an API view method ``(self, request, ...) -> Response`` of a view that has a ``client`` attribute
(the authenticated :class:`~moderation.models.ApiClient`). Without the header the method simply runs; with it,
a retried request gets the stored answer with ``Idempotent-Replayed: true``, a reused key with another request
422, a key still in flight 409, a malformed key 400. Only successful answers are stored: a refusal, raised or
returned, leaves the key free. Every API method that creates or changes something and is not idempotent by
itself (POST) takes it; :data:`HEADER_PARAMETER` documents it in the OpenAPI schema.
"""
from __future__ import annotations

from functools import wraps

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from ..services.idempotency import (
    IdempotencyError,
    Replay,
    idempotency_abandon,
    idempotency_begin,
    idempotency_finish,
    idempotency_key_valid,
    request_fingerprint,
)
from .errors import error, error_response

HEADER = "Idempotency-Key"

#: the header, as every ``@idempotent`` operation's ``extend_schema(parameters=[...])`` documents it
HEADER_PARAMETER = OpenApiParameter(
    HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Makes retries safe: the same key and body within 24 h returns the first answer "
                "(`Idempotent-Replayed: true`) and does nothing twice; the same key with another body is 422; "
                "while the first request is being answered, 409.")


def idempotent(method):
    @wraps(method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return method(view, request, *args, **kwargs)
        if not idempotency_key_valid(key):
            return error_response([error(HEADER, "Use 1–200 printable ASCII characters, without spaces.")], 400)
        fingerprint = request_fingerprint(method=request.method, path=request.path, data=request.data)
        try:
            begun = idempotency_begin(client=view.client, key=key, fingerprint=fingerprint)
        except IdempotencyError as exc:
            return error_response([error(HEADER, exc.message)], exc.status_code)
        if isinstance(begun, Replay):
            return Response(begun.body, status=begun.status_code, headers={"Idempotent-Replayed": "true"})
        try:
            response = method(view, request, *args, **kwargs)
        except BaseException:
            idempotency_abandon(record=begun)
            raise
        if response.status_code >= 400:  # a refusal the view returned rather than raised: the key stays free
            idempotency_abandon(record=begun)
        else:
            idempotency_finish(record=begun, status_code=response.status_code, body=response.data)
        return response

    return wrapper
