"""One error shape for every answer that is not a success: ``{"errors": [{"field", "message"}]}``.

``field`` is a dotted path into the request body (``disclosure.process``, ``author.external_id``) or ``""``
for errors that concern the whole request (authentication, throttling, a missing page, a parse error).
Some answers add keys beside ``errors`` (the 422 for a missing disclosure adds ``policy_url`` and
``allowed_values``); ``errors`` is always there.
"""
from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.signals import got_request_exception
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from disclosure.errors import InputInvalid

from ..services.intake import SubmissionInvalid
from ..services.review import ReviewConflict

logger = logging.getLogger(__name__)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource changed; reload it and try again."
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


def error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": str(message)}


def error_response(errors: list[dict[str, str]], status_code: int, *, headers: dict | None = None,
                   extra: dict | None = None) -> Response:
    return Response({"errors": errors, **(extra or {})}, status=status_code, headers=headers)


def flatten(detail, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested ``{"author": {"external_id": ["…"]}}`` → ``[{"field": "author.external_id", …}]``."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            key = "" if key in ("non_field_errors", "detail") else str(key)
            out += flatten(value, f"{prefix}.{key}" if prefix and key else (prefix or key))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [error(prefix, item) for item in detail]
        out = []
        for index, item in enumerate(detail):
            if item:
                out += flatten(item, f"{prefix}.{index}" if prefix else str(index))
        return out
    return [error(prefix, detail)]


def _server_error(exc, context) -> Response | None:
    """A bug. With ``DEBUG`` Django's error page shows it; otherwise the client gets the API's error shape
    (a 500 in JSON, not an HTML page it cannot read), and the error is reported as Django reports one: the
    ``got_request_exception`` signal (error trackers, the test client) and the ``django.request`` log."""
    from django.conf import settings

    if settings.DEBUG:
        return None
    request = getattr(context.get("request"), "_request", context.get("request"))
    got_request_exception.send(sender=None, request=request)
    logging.getLogger("django.request").error("Internal Server Error: %s", getattr(request, "path", ""),
                                              exc_info=exc, extra={"status_code": 500, "request": request})
    return error_response([error("", "Something went wrong on our side; it has been logged. Try again later.")],
                          status.HTTP_500_INTERNAL_SERVER_ERROR)


def api_exception_handler(exc, context) -> Response | None:
    """Turn every failure a view can raise into the one error shape, with the right status code."""
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, (Http404, ObjectDoesNotExist)):  # selectors raise DoesNotExist for another client's row
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, SubmissionInvalid):
        return error_response([error(e.get("field") or "", e["message"]) for e in exc.errors], exc.status_code,
                              extra=exc.extra)
    elif isinstance(exc, ReviewConflict):
        return error_response([error("", exc.message)], status.HTTP_409_CONFLICT,
                              extra={"current_version": exc.item.version} if exc.item is not None else None)
    elif isinstance(exc, InputInvalid):  # a service's "a person can fix this" (ReviewActionInvalid, …)
        return error_response([error(exc.field, exc.message)], status.HTTP_400_BAD_REQUEST)

    response = drf_exception_handler(exc, context)  # sets WWW-Authenticate and Retry-After headers
    if response is None:
        return _server_error(exc, context)
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten(response.data)
    else:
        detail = response.data.get("detail", response.data) if isinstance(response.data, dict) else response.data
        errors = [error("", detail)]
    response.data = {"errors": errors or [error("", "Invalid request.")]}
    return response
