"""Property-based contract test: schemathesis generates requests from our OpenAPI document, valid ones and
invalid ones, and checks every answer: never a 5xx, and always a documented status code, content type and
body shape. Bounded (20 examples per operation and mode, derandomised) so it runs in about a minute.

The operations are driven through ``operation.as_strategy()`` + hypothesis directly: schemathesis's own
pytest plugin does not run under the pytest version installed here.
"""
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import post_payload

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
OPERATIONS = [
    ("GET", "/api/v1/health"), ("GET", "/api/v1/disclosure-schema"),
    ("POST", "/api/v1/submissions"), ("GET", "/api/v1/submissions/{public_id}"),
    ("GET", "/api/v1/review-items"), ("POST", "/api/v1/review-items/{public_id}/claim"),
    ("POST", "/api/v1/review-items/{public_id}/decision"),
    ("GET", "/api/v1/webhooks"), ("POST", "/api/v1/webhooks"),
    ("GET", "/api/v1/webhooks/{public_id}"), ("DELETE", "/api/v1/webhooks/{public_id}"),
    ("GET", "/api/v1/webhooks/{public_id}/deliveries"),
    ("POST", "/api/v1/drafts"), ("GET", "/api/v1/drafts/{public_id}"),
    ("POST", "/api/v1/drafts/{public_id}/assistance"),
    ("POST", "/api/v1/submissions/{public_id}/reports"), ("POST", "/api/v1/submissions/{public_id}/appeal"),
    ("GET", "/api/v1/submissions/{public_id}/statement-of-reasons"),
    ("PUT", "/api/v1/submissions/{public_id}/removal"), ("DELETE", "/api/v1/submissions/{public_id}/removal"),
    ("POST", "/api/v1/erasures"), ("POST", "/api/v1/author-data"),
    ("GET", "/api/v1/review-items/{public_id}/notes"), ("POST", "/api/v1/review-items/{public_id}/notes"),
]


@contextmanager
def raw_wsgi_inside_the_test_transaction():
    """A raw WSGI request closes the database connection at its start and end (Django's test client detaches
    that handler, and reattaches it after each of its own requests), which would end the test's transaction:
    detach it while schemathesis calls the application."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def load_schema():
    return schemathesis.openapi.from_wsgi("/api/v1/schema", get_wsgi_application())


def test_the_list_covers_every_documented_operation():
    with raw_wsgi_inside_the_test_transaction():
        schema = load_schema()
    documented = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert documented == set(OPERATIONS)


#: Operations without parameters or body have no invalid request to generate.
WITHOUT_INPUT = {("GET", "/api/v1/health"), ("GET", "/api/v1/disclosure-schema")}
CASES = [(m, p, mode) for m, p in OPERATIONS for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if not (mode == GenerationMode.NEGATIVE and (m, p) in WITHOUT_INPUT)]


@pytest.mark.parametrize("method, path, mode", CASES, ids=[f"{m} {p} {mode.value}" for m, p, mode in CASES])
def test_operation_honours_the_openapi_document(method, path, mode, forum, queued, submit, fake_dns):
    submit(forum, post_payload("published-1"))  # rows for the list and detail endpoints to return
    headers = {"Authorization": f"Bearer {forum.key}"}
    with raw_wsgi_inside_the_test_transaction():
        operation = load_schema()[path][method]

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=20, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
