"""The recorder over REST, and the EU AI Act fields of the label an API client reads."""
import pytest
from django.core.management import call_command

from tests.api.conftest import post_payload

pytestmark = pytest.mark.django_db

PROCESS = "The model drafted most of this text from my notes; I edited it carefully."


def test_a_client_records_assistance_on_a_draft_and_reads_a_prefilled_disclosure(forum):
    created = forum.http.post("/api/v1/drafts", {"author_external_id": "u-1"}, format="json")
    assert created.status_code == 201
    draft_id = created.json()["id"]
    url = f"/api/v1/drafts/{draft_id}/assistance"
    assert forum.http.post(url, {"kind": "translation", "extent": "minor", "tool": "DeepL"},
                           format="json").status_code == 201
    answer = forum.http.post(url, {"kind": "translation", "extent": "substantial", "tool": "DeepL"}, format="json")
    assert answer.status_code == 201
    body = forum.http.get(f"/api/v1/drafts/{draft_id}").json()
    assert body["author_external_id"] == "u-1"
    assert len(body["events"]) == 2
    assert body["disclosure_prefill"] == {"human_only": False, "tools": ["DeepL"],
                                          "assistance": [{"kind": "translation", "extent": "substantial"}]}


def test_bad_recordings_get_field_errors(forum):
    draft_id = forum.http.post("/api/v1/drafts", {}, format="json").json()["id"]
    answer = forum.http.post(f"/api/v1/drafts/{draft_id}/assistance", {"kind": "telepathy", "extent": "most"},
                             format="json")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "kind"


def test_another_clients_draft_is_not_found(forum, other_forum):
    draft_id = forum.http.post("/api/v1/drafts", {}, format="json").json()["id"]
    assert other_forum.http.get(f"/api/v1/drafts/{draft_id}").status_code == 404
    assert other_forum.http.post(f"/api/v1/drafts/{draft_id}/assistance", {"kind": "editing", "extent": "minor"},
                                 format="json").status_code == 404


def test_the_label_carries_grade_eu_variant_and_review(forum, submit):
    disclosure = {"human_only": False, "assistance": [{"kind": "drafting", "extent": "most"}],
                  "ai_share_percent": 80, "process": PROCESS,
                  "human_review": {"reviewed": True, "responsible": "The news desk"}}
    answer = submit(forum, post_payload(disclosure=disclosure, standing="trusted"))
    assert answer.status_code == 202, answer.json()
    detail = forum.http.get(f"/api/v1/submissions/{answer.json()['id']}").json()
    assert detail["label"]["grade"] == "ai_generated"
    assert detail["label"]["eu_variant"] == "ai_generated"
    assert detail["label"]["label_required"] is True
    assert detail["label"]["exempt_by_review"] is True


def test_a_submission_without_disclosure_is_not_disclosed_with_unknown_variant(forum, submit):
    answer = submit(forum, post_payload(omit_disclosure=True))
    label = forum.http.get(f"/api/v1/submissions/{answer.json()['id']}").json()["label"]
    assert (label["grade"], label["eu_variant"]) == ("not_disclosed", "unknown")


def test_a_submission_without_disclosure_names_no_one_as_the_labels_source(forum, submit):
    """Nobody declared anything, so the label does not say the author did: ``source`` is ``none``."""
    answer = submit(forum, post_payload(omit_disclosure=True)).json()
    assert (answer["label"]["value"], answer["label"]["source"]) == ("not_disclosed", "none")
    label = forum.http.get(f"/api/v1/submissions/{answer['id']}").json()["label"]
    assert (label["value"], label["source"], label["locked"]) == ("not_disclosed", "none", False)
    declared = submit(forum, post_payload("declared")).json()
    assert declared["label"]["source"] == "author"


def test_the_openapi_schema_lists_every_label_source():
    from rest_framework.test import APIClient

    schema = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    sources = schema["components"]["schemas"]["LabelOut"]["properties"]["source"]
    ref = sources.get("$ref") or sources["allOf"][0]["$ref"]
    enum = schema["components"]["schemas"][ref.split("/")[-1]]["enum"]
    assert set(enum) == {"author", "classifier", "moderator", "none"}


def test_create_api_client_marks_public_interest_categories(capsys):
    from moderation.models import ApiClient

    call_command("create_api_client", "newsroom", "--scopes", "submit", "--public-interest", "news,politics")
    assert ApiClient.objects.get(name="newsroom").public_interest_categories == ["news", "politics"]


def test_a_draft_started_for_one_author_cannot_be_used_for_another_authors_post(forum):
    draft = forum.http.post("/api/v1/drafts", {"author_external_id": "u-9"}, format="json").json()
    forum.http.post(f"/api/v1/drafts/{draft['id']}/assistance", {"kind": "drafting", "extent": "most"},
                    format="json")
    refused = forum.http.post("/api/v1/submissions", {**post_payload("p-1"), "draft_id": draft["id"]},
                              format="json")  # post_payload's author is u-1
    assert refused.status_code == 400
    assert refused.json()["errors"] == [{"field": "draft_id", "message": "This draft was started for another author."}]
    from moderation.models import Submission
    from disclosure.models import Draft

    assert not Submission.objects.exists() and Draft.objects.get().used_at is None


def test_the_prefilled_disclosure_always_passes_the_schema_however_many_tools_were_recorded(forum):
    from disclosure.schema import MAX_TOOLS, Disclosure

    draft_id = forum.http.post("/api/v1/drafts", {}, format="json").json()["id"]
    url = f"/api/v1/drafts/{draft_id}/assistance"
    for i in range(MAX_TOOLS):
        assert forum.http.post(url, {"kind": "editing", "extent": "minor", "tool": f"tool-{i}"},
                               format="json").status_code == 201
    refused = forum.http.post(url, {"kind": "editing", "extent": "minor", "tool": "one-more"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "tool"
    again = forum.http.post(url, {"kind": "drafting", "extent": "most", "tool": "tool-3"}, format="json")
    assert again.status_code == 201  # a tool already named is still recorded
    respelled = forum.http.post(url, {"kind": "editing", "extent": "minor", "tool": "TOOL-4"}, format="json")
    assert respelled.status_code == 201  # ... also spelled another way: one tool, named once in the prefill
    prefill = forum.http.get(f"/api/v1/drafts/{draft_id}").json()["disclosure_prefill"]
    assert len(prefill["tools"]) == MAX_TOOLS
    Disclosure.model_validate({**prefill, "process": PROCESS, "ai_share_percent": 60})  # what the author adds


def test_an_invisible_tool_name_is_refused_by_the_recorder_as_by_the_schema(forum):
    draft_id = forum.http.post("/api/v1/drafts", {}, format="json").json()["id"]
    url = f"/api/v1/drafts/{draft_id}/assistance"
    refused = forum.http.post(url, {"kind": "editing", "extent": "minor", "tool": "\u200b\u2060"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "tool"
    assert forum.http.get(f"/api/v1/drafts/{draft_id}").json()["events"] == []


def test_a_full_draft_refuses_more_recordings_and_keeps_what_it_has(forum, monkeypatch):
    from disclosure import recorder

    monkeypatch.setattr(recorder, "MAX_EVENTS", 3)
    draft_id = forum.http.post("/api/v1/drafts", {}, format="json").json()["id"]
    url = f"/api/v1/drafts/{draft_id}/assistance"
    for _ in range(3):
        assert forum.http.post(url, {"kind": "editing", "extent": "minor"}, format="json").status_code == 201
    refused = forum.http.post(url, {"kind": "editing", "extent": "minor"}, format="json")
    assert refused.status_code == 400 and "at most 3" in refused.json()["errors"][0]["message"]
    assert len(forum.http.get(f"/api/v1/drafts/{draft_id}").json()["events"]) == 3


@pytest.mark.parametrize("path, payload, field", [
    ("/api/v1/drafts", {"author_external_id": "u", "x": 1}, "x"),
    ("/api/v1/drafts", {"author_external_id": 5}, "author_external_id"),
    ("{draft}/assistance", {"kind": "editing", "extent": "minor", "zzz": 1}, "zzz"),
    ("{draft}/assistance", {"kind": "editing", "extent": "minor", "tool": 7}, "tool"),
    ("{draft}/assistance", {"kind": "editing", "extent": "minor", "details": "a\x00b"}, "details"),
])
def test_the_recorder_refuses_unknown_fields_and_values_of_the_wrong_type(forum, path, payload, field):
    draft_id = forum.http.post("/api/v1/drafts", {}, format="json").json()["id"]
    response = forum.http.post(path.format(draft=f"/api/v1/drafts/{draft_id}"), payload, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize("draft_id", [5, 2**100, 1.5, True, ["0b6f"]])
def test_a_draft_id_that_is_not_a_string_is_a_type_error_not_an_unknown_draft(forum, draft_id):
    """``"draft_id": 5`` was read as UUID(int=5) and answered "No such draft."; the schema says a uuid string."""
    response = forum.http.post("/api/v1/submissions", {**post_payload("p-1"), "draft_id": draft_id}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "draft_id", "message": "A draft id is a UUID string."}]
