"""The disclosure JSON Schema, the OpenAPI document and Swagger UI served from local files under our CSP."""
import pytest
from django.contrib.staticfiles import finders
from rest_framework.test import APIClient

from disclosure.schema import json_schema

from .conftest import HUMAN_ONLY, post_payload

pytestmark = pytest.mark.django_db


def test_disclosure_schema_is_the_current_version():
    response = APIClient().get("/api/v1/disclosure-schema")
    assert response.status_code == 200
    assert response.json() == json_schema()


def test_openapi_document_describes_every_endpoint():
    response = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/health", "/api/v1/disclosure-schema", "/api/v1/submissions", "/api/v1/submissions/{public_id}",
        "/api/v1/review-items", "/api/v1/review-items/{public_id}/claim",
        "/api/v1/review-items/{public_id}/decision", "/api/v1/webhooks", "/api/v1/webhooks/{public_id}",
        "/api/v1/webhooks/{public_id}/deliveries", "/api/v1/drafts", "/api/v1/drafts/{public_id}",
        "/api/v1/drafts/{public_id}/assistance", "/api/v1/submissions/{public_id}/reports",
        "/api/v1/submissions/{public_id}/appeal", "/api/v1/submissions/{public_id}/statement-of-reasons",
            "/api/v1/submissions/{public_id}/removal", "/api/v1/erasures", "/api/v1/author-data",
            "/api/v1/review-items/{public_id}/notes"}
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    responses = schema["paths"]["/api/v1/submissions"]["post"]["responses"]
    assert {"200", "202", "400", "401", "403", "413", "422", "429"} <= set(responses)


def test_request_bodies_say_that_unknown_fields_are_refused():
    """The server answers 400 "Unknown field." to a field it does not know: a generated client must say so too."""
    schema = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]

    def refs(value):
        if isinstance(value, dict):
            return ({value["$ref"].rsplit("/", 1)[1]} if "$ref" in value else set()).union(*map(refs, value.values()))
        return set().union(*map(refs, value)) if isinstance(value, list) else set()

    bodies = refs([operation["requestBody"] for path in schema["paths"].values() for operation in path.values()
                   if "requestBody" in operation])
    objects = {name for name in bodies | refs([components[name] for name in bodies])
               if components[name].get("type") == "object"}
    assert {"SubmissionInRequest", "AuthorInRequest", "EditorInRequest", "DecisionInRequest"} <= objects
    assert {name: components[name].get("additionalProperties") for name in objects} == dict.fromkeys(objects, False)


def test_docs_load_swagger_ui_from_our_own_static_files():
    response = APIClient().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn." not in html and "https://" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        assert f"/static/drf_spectacular_sidecar/swagger-ui-dist/{asset}" in html
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}")
    # The init script is a separate same-origin request (no inline script), and it points at our schema.
    script = APIClient().get("/api/v1/docs?script=")
    assert script.status_code == 200
    assert "/api/v1/schema" in script.content.decode()


def test_only_the_docs_page_relaxes_the_csp_and_only_for_styles():
    docs = APIClient().get("/api/v1/docs")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in docs
    assert "script-src 'self';" in docs or docs.endswith("script-src 'self'")
    elsewhere = APIClient().get("/api/v1/health")["Content-Security-Policy"]
    assert "unsafe-inline" not in elsewhere


def test_every_operation_behind_the_rate_limit_declares_its_429():
    """The drafts operations answered 429 under the limit but did not say so (schemathesis: undocumented status)."""
    schema = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    missing = [f"{method.upper()} {path}" for path, operations in schema["paths"].items()
               for method, operation in operations.items()
               if operation.get("security") != [{}] and "401" in operation["responses"]
               and "429" not in operation["responses"]]
    assert not missing, missing


def test_every_operation_that_reads_a_json_body_declares_its_415():
    """POST /drafts and /drafts/{id}/assistance answered 415 to another content type without saying so."""
    schema = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    missing = [f"{method.upper()} {path}" for path, operations in schema["paths"].items()
               for method, operation in operations.items()
               if "requestBody" in operation and "415" not in operation["responses"]]
    assert not missing, missing


def test_only_the_operations_that_read_a_body_declare_a_415():
    """GET …/statement-of-reasons listed a 415 it cannot answer: it reads no body (found by review)."""
    schema = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    extra = [f"{method.upper()} {path}" for path, operations in schema["paths"].items()
             for method, operation in operations.items()
             if "requestBody" not in operation and "415" in operation["responses"]]
    assert not extra, extra


#: POSTs without a key: one changes nothing, the other is idempotent by itself and its stored answer would link
#: an author's id to their pseudonym
POSTS_WITHOUT_KEY = {"/api/v1/author-data", "/api/v1/erasures"}


def test_every_post_that_changes_something_takes_an_idempotency_key_and_declares_its_answers():
    """Round 21: only submissions took a key, so a retried note or webhook registration was written twice."""
    schema = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    posts = {path: ops["post"] for path, ops in schema["paths"].items() if "post" in ops}
    missing = [path for path, op in posts.items() if path not in POSTS_WITHOUT_KEY and not (
        any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in op.get("parameters", []))
        and {"409", "422"} <= set(op["responses"]))]
    assert not missing, missing
    assert POSTS_WITHOUT_KEY <= set(posts)


def _published_response_schema(schema, path, status):
    return schema["paths"][path]["post"]["responses"][status]["content"]["application/json"]["schema"]


def test_conflict_answers_carry_only_what_the_schema_publishes(forum, submit, queued):
    """A 409's extra keys (the item's version now, the reader's earlier report) are in the published schema,
    so a generated client keeps them; a key the schema does not name fails the check."""
    import copy

    import jsonschema

    _, item = queued
    schema = forum.http.get("/api/v1/schema", HTTP_ACCEPT="application/json").json()
    stale = forum.http.post(f"/api/v1/review-items/{item.public_id}/claim", {"version": item.version + 5},
                            format="json")
    fine = submit(forum, post_payload("fine-1", disclosure=HUMAN_ONLY)).json()
    report = {"reporter_external_id": "u-42", "reason": "undisclosed_ai"}
    forum.http.post(f"/api/v1/submissions/{fine['id']}/reports", report, format="json")
    again = forum.http.post(f"/api/v1/submissions/{fine['id']}/reports", report, format="json")
    assert (stale.status_code, again.status_code) == (409, 409)
    assert "current_version" in stale.json() and "report" in again.json()

    for response, path in ((stale, "/api/v1/review-items/{public_id}/claim"),
                           (again, "/api/v1/submissions/{public_id}/reports")):
        ref = _published_response_schema(schema, path, "409")["$ref"]
        components = copy.deepcopy(schema["components"])
        components["schemas"][ref.rsplit("/", 1)[1]]["additionalProperties"] = False
        jsonschema.Draft202012Validator({"$ref": ref, "components": components}).validate(response.json())


def _request_validator(schema, component):
    """A validator for one request component of the published document, its ``$ref``s resolved there."""
    import jsonschema

    return jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{component}",
                                            "components": schema["components"]})


def test_documented_submission_bodies_validate_against_the_published_schema():
    """``disclosure`` was ``oneOf: [{}, {"type": "null"}]``: null matched both branches, so a validating client
    refused the documented ``"disclosure": null``; an object and null must each match once."""
    schema = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    validator = _request_validator(schema, "SubmissionInRequest")
    example = schema["paths"]["/api/v1/submissions"]["post"]["requestBody"]["content"]["application/json"][
        "examples"]["AI-assistedPost"]["value"]
    for body in (example, post_payload(disclosure=None), post_payload(disclosure=HUMAN_ONLY),
                 post_payload(omit_disclosure=True)):
        errors = [error.message for error in validator.iter_errors(body)]
        assert not errors, (body, errors)
    assert list(validator.iter_errors(post_payload(disclosure="human-only")))
    disclosure = schema["components"]["schemas"]["SubmissionInRequest"]["properties"]["disclosure"]
    assert "/api/v1/disclosure-schema" in disclosure["description"]


def test_the_decision_label_publishes_only_the_labels_a_moderator_may_apply():
    """It used the labels' enum, with ``not_disclosed``, which the server refuses for a decision (400)."""
    from disclosure.labels import MODERATOR_LABELS

    schema = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    label = components["DecisionInRequest"]["properties"]["label"]
    values = {value for choice in label["oneOf"] for value in components[choice["$ref"].rsplit("/", 1)[1]]["enum"]}
    assert values == {*MODERATOR_LABELS, ""}
    assert "not_disclosed" in components["LabelValueEnum"]["enum"]  # what a label says stays as it was


def test_every_operation_that_reads_a_json_body_declares_its_413(forum, queued, settings):
    """A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is 413 wherever a body is read; only POST /submissions said so."""
    schema = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    missing = [f"{method.upper()} {path}" for path, operations in schema["paths"].items()
               for method, operation in operations.items()
               if "requestBody" in operation and "413" not in operation["responses"]]
    assert not missing, missing
    data, item = queued
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    big = "x" * 2_000
    for method, path, body in (("post", "/api/v1/drafts", {"author_external_id": big}),
                               ("post", "/api/v1/webhooks", {"url": f"https://example.com/{big}", "events": []}),
                               ("post", "/api/v1/erasures", {"author_external_id": big}),
                               ("post", f"/api/v1/review-items/{item.public_id}/notes", {"text": big}),
                               ("put", f"/api/v1/submissions/{data['id']}/removal", {"reason": "other", "note": big})):
        response = getattr(forum.http, method)(path, body, format="json")
        assert response.status_code == 413, (path, response.status_code)


def test_the_removal_of_an_erased_authors_post_declares_its_409():
    """``PUT`` and ``DELETE …/removal`` answer 409 for an erased author's post; DELETE did not say so."""
    schema = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    removal = schema["paths"]["/api/v1/submissions/{public_id}/removal"]
    assert "409" in removal["put"]["responses"] and "409" in removal["delete"]["responses"]
