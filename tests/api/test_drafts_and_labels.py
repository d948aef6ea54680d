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
