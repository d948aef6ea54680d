"""Reader reports, appeals and statements of reasons over the API: reports are 201 / 409 (same reader, same
revision) / 429 (per-reader limit); an appeal is accepted once per post, as in the host forum; every decision
has a statement of reasons (DSA Art. 17), served per submission and exported per period as JSON Lines."""
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from disclosure.models import Draft
from moderation.models import Action, ReaderReport, ReviewItem, StatementOfReasons

from .conftest import QUEUED_DISCLOSURE, error_fields, post_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(forum, submit):
    response = submit(forum, post_payload("pub-1"))
    assert response.status_code == 202  # evaluated after commit: published and visible
    assert forum.http.get(f"/api/v1/submissions/{response.json()['id']}").json()["status"] == "published"
    return response.json()


def report(forum, submission_id, reporter="u-42", **fields):
    return forum.http.post(f"/api/v1/submissions/{submission_id}/reports",
                           {"reporter_external_id": reporter, "reason": "undisclosed_ai", **fields}, format="json")


def decide(forum, item, action, **fields):
    item.refresh_from_db()
    return forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                           {"action": action, "version": item.version, **fields}, format="json")


# --- Reports --------------------------------------------------------------------------------------

def test_a_report_is_201_and_puts_the_post_in_the_queue(forum, published):
    response = report(forum, published["id"], note="The middle reads like a chatbot.")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reason"] == "undisclosed_ai" and body["outcome"] == "" and body["weight"] == 20
    assert body["reporter"] == {"external_id": "u-42", "upheld": 0, "decided": 0, "accuracy": 0.5}
    assert body["review_item"]["reasons"] == ["reader_report"] and body["review_item"]["status"] == "open"
    detail = forum.http.get(f"/api/v1/submissions/{published['id']}").json()
    assert detail["status"] == "queued" and detail["visible"] is True
    rows = forum.http.get("/api/v1/review-items?reason=reader_report").json()["results"]
    assert [r["id"] for r in rows] == [body["review_item"]["id"]]


def test_a_second_report_by_the_same_reader_on_the_same_revision_is_409(forum, published):
    assert report(forum, published["id"]).status_code == 201
    again = report(forum, published["id"])
    assert again.status_code == 409 and error_fields(again) == ["reporter_external_id"]
    assert report(forum, published["id"], reporter="u-43").status_code == 201
    assert ReaderReport.objects.count() == 2


def test_a_reader_past_the_rate_limit_gets_429_with_retry_after(settings, forum, submit):
    settings.MODERATION = {**settings.MODERATION, "REPORTS": {"per_hour": 2}}
    ids = [submit(forum, post_payload(f"p-{n}")).json()["id"] for n in range(3)]
    assert [report(forum, i).status_code for i in ids[:2]] == [201, 201]

    limited = report(forum, ids[2])

    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert error_fields(limited) == ["reporter_external_id"]
    assert ReaderReport.objects.count() == 2


def test_bad_reports_are_400_with_field_errors(forum, published):
    assert error_fields(report(forum, published["id"], reason="spam")) == ["reason"]
    missing = forum.http.post(f"/api/v1/submissions/{published['id']}/reports", {}, format="json")
    assert missing.status_code == 400 and error_fields(missing) == ["reporter_external_id"]
    assert error_fields(report(forum, published["id"], note="x" * 2001)) == ["note"]
    assert error_fields(report(forum, published["id"], colour="red")) == ["colour"]
    own = report(forum, published["id"], reporter="u-1")  # the post's author (post_payload's)
    assert own.status_code == 400 and error_fields(own) == ["reporter_external_id"]
    assert not ReaderReport.objects.exists()


def test_another_forums_submission_cannot_be_reported(other_forum, published):
    assert report(other_forum, published["id"]).status_code == 404


def test_the_decision_marks_the_report_and_the_next_report_weighs_more(forum, submit, published):
    item = ReviewItem.objects.get(pk=ReviewItem.objects.get(
        public_id=report(forum, published["id"]).json()["review_item"]["id"]).pk)
    assert decide(forum, item, "reject", reason="undisclosed-ai", message="Undisclosed AI.").status_code == 200

    second = submit(forum, post_payload("pub-2")).json()
    body = report(forum, second["id"]).json()

    assert body["reporter"] == {"external_id": "u-42", "upheld": 1, "decided": 1, "accuracy": 0.667}
    assert body["weight"] == 27  # 20 × 2 × (1 + 1) / (1 + 2)
    assert ReaderReport.objects.get(submission__public_id=published["id"]).outcome == "upheld"


# --- Appeals --------------------------------------------------------------------------------------

def test_an_author_appeals_a_rejection_once_through_the_api(forum, queued):
    data, item = queued
    assert decide(forum, item, "reject", reason="undisclosed-ai", message="Not declared.").status_code == 200

    short = forum.http.post(f"/api/v1/submissions/{data['id']}/appeal", {"message": "no"}, format="json")
    assert short.status_code == 400 and error_fields(short) == ["message"]
    appeal = forum.http.post(f"/api/v1/submissions/{data['id']}/appeal",
                             {"message": "I wrote every word; the list is a quotation."}, format="json")

    assert appeal.status_code == 201, appeal.json()
    body = appeal.json()
    assert body["kind"] == "appeal" and body["status"] == "open" and body["reasons"][0] == "appeal"
    assert body["submission_status"] == "queued"
    assert Action.objects.filter(verb="appeal", actor_client=forum.client).count() == 1

    new_item = ReviewItem.objects.get(public_id=body["id"])
    decide(forum, new_item, "reject", reason="undisclosed-ai", message="Still not declared.")
    again = forum.http.post(f"/api/v1/submissions/{data['id']}/appeal",
                            {"message": "Please look again, it is really mine."}, format="json")
    assert again.status_code == 409 and "once" in again.json()["errors"][0]["message"]


def test_only_a_rejected_post_can_be_appealed(forum, published, other_forum):
    response = forum.http.post(f"/api/v1/submissions/{published['id']}/appeal",
                               {"message": "Why was this not rejected?"}, format="json")
    assert response.status_code == 409
    assert other_forum.http.post(f"/api/v1/submissions/{published['id']}/appeal",
                                 {"message": "Someone else's post, anyway."}, format="json").status_code == 404


# --- Statements of reasons ------------------------------------------------------------------------

def test_every_decision_has_a_statement_of_reasons(forum, queued, other_forum):
    data, item = queued
    url = f"/api/v1/submissions/{data['id']}/statement-of-reasons"
    assert forum.http.get(url).status_code == 404

    decide(forum, item, "reject", reason="undisclosed-ai", message="The summary is not declared.")
    response = forum.http.get(url)

    assert response.status_code == 200
    body = response.json()
    assert body["submission"] == data["id"] and body["external_id"] == "queued-1"
    assert body["decision"] == {"action": "reject", "restriction": "removal", "label": None, "appeal": False}
    facts = body["facts_and_circumstances"]
    assert facts["reasons"] == item.reasons and facts["revision"] == 1
    assert facts["disclosure_fields"]["disclosed"] is True
    assert facts["disclosure_fields"]["assistance"] == [{"kind": "drafting", "extent": "substantial"}]
    assert body["automated_means"] == {"detection": True, "decision": False}
    assert body["ground"]["rule"] == "undisclosed-ai"
    assert body["ground"]["policy_url"] == "https://forum-a.example/ai-policy"
    assert body["ground"]["explanation"] == "The summary is not declared."
    assert body["redress"]["internal_complaint"]["available"] is True
    assert f"/api/v1/submissions/{data['id']}/appeal" in body["redress"]["internal_complaint"]["how"]
    assert other_forum.http.get(url).status_code == 404


def test_all_that_is_not_a_boolean_is_a_400_on_all_and_both_answers_match_the_published_schema(forum, queued):
    """``?all=maybe`` was read as false (404 before a decision), where the schema promises 400; and the
    ``{"results": […]}`` of ``?all=true`` was published as any object."""
    import jsonschema

    data, item = queued
    url = f"/api/v1/submissions/{data['id']}/statement-of-reasons"
    for value in ("maybe", "2", "truee"):
        response = forum.http.get(url, {"all": value})
        assert response.status_code == 400 and error_fields(response) == ["all"], value
    assert forum.http.get(url, {"all": "false"}).status_code == 404
    assert forum.http.get(url, {"all": "true"}).json() == {"results": []}

    decide(forum, item, "reject", reason="undisclosed-ai", message="The summary is not declared.")
    schema = forum.http.get("/api/v1/schema", HTTP_ACCEPT="application/json").json()
    published = schema["paths"]["/api/v1/submissions/{public_id}/statement-of-reasons"]["get"]["responses"]["200"]
    validator = jsonschema.Draft202012Validator({**published["content"]["application/json"]["schema"],
                                                 "components": schema["components"]})
    one, every = forum.http.get(url, {"all": "0"}), forum.http.get(url, {"all": "true"})
    assert one.status_code == every.status_code == 200 and every.json()["results"] == [one.json()]
    for body in (one.json(), every.json()):
        validator.validate(body)
    assert not validator.is_valid({"results": "none"}) and not validator.is_valid({"decision": {}})


@pytest.mark.parametrize("action, how", [
    ("approve", "No appeal: this decision does not restrict the post."),
    ("request_changes", "No appeal: correct the disclosure and post again"),
])
def test_a_statement_without_an_appeal_does_not_explain_how_to_appeal(forum, queued, action, how):
    data, item = queued
    decide(forum, item, action, **({"reason": "undisclosed-ai", "message": "Declare the drafted summary."}
                                   if action == "request_changes" else {}))
    redress = forum.http.get(f"/api/v1/submissions/{data['id']}/statement-of-reasons").json()["redress"]
    assert redress["internal_complaint"]["available"] is False
    assert redress["internal_complaint"]["how"].startswith(how) and "/appeal" not in redress["internal_complaint"]["how"]


def test_the_decided_event_names_the_statement(forum, queued):
    from moderation.models import OutboxEvent

    data, item = queued
    decide(forum, item, "approve")
    event = OutboxEvent.objects.get(type="review.decided")
    assert event.payload["data"]["statement_of_reasons"] == str(StatementOfReasons.objects.get().public_id)


def test_statements_are_exported_per_period_as_json_lines(forum, queued, submit):
    data, item = queued
    decide(forum, item, "reject", reason="undisclosed-ai", message="Not declared.")
    old = StatementOfReasons.objects.get()
    StatementOfReasons.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    second = submit(forum, post_payload("queued-2", standing="new", disclosure=QUEUED_DISCLOSURE,
                                        body="Outline, then a section the model drafted and I edited."))
    decide(forum, ReviewItem.objects.get(submission__public_id=second.json()["id"]), "approve")

    out = StringIO()
    since = (timezone.now() - timedelta(days=7)).date().isoformat()
    call_command("export_statements", "--since", since, stdout=out, stderr=StringIO())

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(row["external_id"], row["decision"]["action"]) for row in lines] == [("queued-2", "approve")]
    everything = StringIO()
    call_command("export_statements", stdout=everything, stderr=StringIO())
    assert [json.loads(line)["external_id"] for line in everything.getvalue().splitlines()] == [
        "queued-1", "queued-2"]


def test_moderators_download_the_export_and_others_cannot(client, moderator, make_user, forum, queued):
    data, item = queued
    decide(forum, item, "approve")
    client.force_login(make_user("someone"))
    assert client.get("/moderation/statements.jsonl").status_code == 403
    client.force_login(moderator)

    response = client.get("/moderation/statements.jsonl?since=2000-01-01")

    assert response.status_code == 200 and response["Content-Type"].startswith("application/jsonl")
    rows = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert [r["submission"] for r in rows] == [data["id"]]
    assert client.get("/moderation/statements.jsonl?since=yesterday").status_code == 400


# --- Labels -----------------------------------------------------------------------------------------

def test_the_api_refuses_not_disclosed_as_a_moderator_label_with_400(forum, queued):
    data, item = queued
    response = forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                               {"action": "approve", "version": item.version, "label": "not_disclosed"},
                               format="json")
    assert response.status_code == 400 and error_fields(response) == ["label"]
    assert "not_disclosed describes the author's declaration" in response.json()["errors"][0]["message"]
    assert ReviewItem.objects.get(pk=item.pk).status == "open"


# --- The recorder's drafts --------------------------------------------------------------------------

def test_the_api_links_a_draft_to_the_submission(make_forum, django_capture_on_commit_callbacks):
    forum = make_forum("forum-r")
    draft = forum.http.post("/api/v1/drafts", {"author_external_id": "u-1"}, format="json").json()
    forum.http.post(f"/api/v1/drafts/{draft['id']}/assistance", {"kind": "drafting", "extent": "most"},
                    format="json")
    with django_capture_on_commit_callbacks(execute=True):
        response = forum.http.post("/api/v1/submissions", {**post_payload("p-9"), "draft_id": draft["id"]},
                                   format="json")

    assert response.status_code == 202, response.json()
    assert Draft.objects.get(public_id=draft["id"]).used_for == "p-9"
    assert ReviewItem.objects.get().reasons[-1] == "recorded_vs_declared"
    other = make_forum("forum-s")
    refused = other.http.post("/api/v1/submissions", {**post_payload("p-1"), "draft_id": draft["id"]}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "draft_id"


def test_an_automatic_rejection_shows_as_the_decision_and_its_event_names_the_statement_where_others_do(
        forum, submit, settings):
    """GET said ``"status": "rejected"`` with ``"decision": null``, and the webhook carried the statement's id
    only inside ``decision``, where a moderator's decision does not put it."""
    from moderation.models import OutboxEvent, RejectionTemplate, StatementOfReasons

    RejectionTemplate.objects.create(code="low-effort-ai", title="Low effort", message="Please rewrite it.")
    settings.MODERATION = {**settings.MODERATION, "POLICY": {"extend_default": True, "rules": [
        {"name": "auto_reject_category", "when": {"category_in": ["autoreject"]}, "outcome": "auto_reject",
         "reason": "auto_rejected_ai_score", "template": "low-effort-ai"}]}}
    response = submit(forum, post_payload("auto-1", category="autoreject"))
    assert response.status_code == 202
    body = forum.http.get(f"/api/v1/submissions/{response.json()['id']}").json()
    assert body["status"] == "rejected"
    assert body["decision"]["action"] == "reject" and body["decision"]["reason"] == "low-effort-ai"
    assert body["decision"]["message"] == "Please rewrite it." and body["decision"]["decided_at"]
    statement = StatementOfReasons.objects.get()
    event = OutboxEvent.objects.filter(type="review.decided").latest("id")
    assert event.payload["data"]["statement_of_reasons"] == str(statement.public_id)
