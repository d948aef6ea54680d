"""``POST /api/v1/submissions``: 202 for a new revision, 200 for unchanged content, field errors in one shape,
413 past the size limit, and a missing disclosure means ``not_disclosed`` — or 422 where the category needs one."""
import json

import pytest

from moderation.models import Evaluation, Revision, Submission

from .conftest import HUMAN_ONLY, QUEUED_DISCLOSURE, error_fields, post_payload

pytestmark = pytest.mark.django_db

AI_BODY = ("My own opening paragraph.\n\n"
           ':::ai-written model="Claude Opus 4.5"\nA paragraph the model drafted for me.\n:::\n\nMy own ending.')


def test_new_post_is_accepted_with_202(forum, submit):
    response = submit(forum, post_payload("p-1"))
    assert response.status_code == 202
    body = response.json()
    submission = Submission.objects.get(public_id=body["id"])
    assert body["external_id"] == "p-1" and body["revision"] == 1 and body["new_revision"] is True
    assert body["status"] == "pending"
    assert submission.client == forum.client and submission.author_external_id == "u-1"
    assert body["url"].endswith(f"/api/v1/submissions/{body['id']}")


def test_a_tool_list_stored_before_tools_had_to_differ_is_accepted_again_unchanged(forum, submit):
    """A post stored with "DeepL" and "deepl" (allowed before 0.2.0's round 20) re-sent as it is stays 200; a
    new list that names a tool twice is refused, on the repeated name."""
    disclosure = {**QUEUED_DISCLOSURE, "tools": ["DeepL", "deepl"]}
    first = submit(forum, post_payload("p-1", disclosure={**QUEUED_DISCLOSURE, "tools": ["DeepL"]})).json()
    revision = Revision.objects.get(submission__public_id=first["id"])
    Revision.objects.filter(pk=revision.pk).update(disclosure={**revision.disclosure, "tools": ["DeepL", "deepl"]})
    from moderation.services.intake import revision_content_hash

    stored = Revision.objects.get(pk=revision.pk)
    Revision.objects.filter(pk=revision.pk).update(content_hash=revision_content_hash(
        title=stored.title, body=stored.body, fmt=stored.format, disclosure=stored.disclosure,
        disclosure_version=stored.disclosure_version, parser_version=stored.parser_version))

    again = submit(forum, post_payload("p-1", disclosure=disclosure))
    assert again.status_code == 200 and again.json()["new_revision"] is False
    more = submit(forum, post_payload("p-1", disclosure={**disclosure, "tools": ["DeepL", "deepl", "Claude"]}))
    assert more.status_code == 400 and error_fields(more) == ["disclosure.tools.1"]


def test_unchanged_resubmission_is_200_and_queues_nothing(forum, submit):
    first = submit(forum, post_payload("p-1")).json()
    evaluations = Evaluation.objects.count()
    again = submit(forum, post_payload("p-1"))
    assert again.status_code == 200
    assert again.json()["id"] == first["id"] and again.json()["revision"] == 1
    assert again.json()["new_revision"] is False
    assert Revision.objects.count() == 1 and Evaluation.objects.count() == evaluations


def test_an_unchanged_resend_stores_the_authors_new_standing_and_name_without_a_new_revision(forum, submit):
    """A forum that promotes an author, or an author who renames, sends the post again: the next evaluation and the
    moderators must see the author as the forum does now, without the post going back through the pipeline."""
    submit(forum, post_payload("p-1", standing="new"))
    evaluations = Evaluation.objects.count()
    payload = post_payload("p-1", standing="trusted")
    payload["author"]["display_name"] = "Ada Lovelace"

    again = submit(forum, payload)

    assert again.status_code == 200 and again.json()["new_revision"] is False
    assert Revision.objects.count() == 1 and Evaluation.objects.count() == evaluations
    stored = Submission.objects.get()
    assert (stored.author_standing, stored.author_display_name) == ("trusted", "Ada Lovelace")


def test_changed_body_makes_a_new_revision_of_the_same_submission(forum, submit):
    first = submit(forum, post_payload("p-1")).json()
    second = submit(forum, post_payload("p-1", body="I rewrote this post by hand, every word, again."))
    assert second.status_code == 202
    assert second.json()["id"] == first["id"] and second.json()["revision"] == 2
    assert Submission.objects.get().revisions.count() == 2


def test_a_move_to_another_category_alone_is_a_new_revision(forum, submit):
    first = submit(forum, post_payload("p-1", category="general")).json()
    moved = submit(forum, post_payload("p-1", category="politics"))
    assert moved.status_code == 202
    assert moved.json()["id"] == first["id"] and moved.json()["revision"] == 2
    assert Submission.objects.get().category == "politics"


@pytest.mark.parametrize("spelling", ["General", "  general ", "gen\u200beral"])
def test_the_same_category_spelled_differently_is_not_a_new_revision(forum, submit, spelling):
    """Every rule compares categories by their key (case, spaces, invisible characters): re-spelling one does
    not send a published post back through the pipeline, hidden meanwhile."""
    first = submit(forum, post_payload("p-1", category="general")).json()
    again = submit(forum, post_payload("p-1", category=spelling))
    assert again.status_code == 200 and again.json()["new_revision"] is False
    assert again.json()["id"] == first["id"] and Revision.objects.count() == 1
    assert Submission.objects.get().category == spelling.strip()


def test_a_post_cannot_change_author(forum, submit):
    """Someone else's edit is sent as ``editor``; another author id is refused, and nothing of it is stored."""
    submit(forum, post_payload("p-1"))
    payload = post_payload("p-1", body="Someone else's text under my post's id.", standing="trusted")
    payload["author"] = {"external_id": "someone-else", "display_name": "Eve", "standing": "trusted"}
    response = submit(forum, payload)
    assert response.status_code == 409
    assert error_fields(response) == ["author.external_id"]
    assert "u-1" in response.json()["errors"][0]["message"]
    submission = Submission.objects.get()
    assert (submission.author_display_name, submission.author_standing) == ("Ada", "regular")
    assert Revision.objects.count() == 1


def test_same_external_id_from_two_clients_are_two_submissions(forum, other_forum, submit):
    a = submit(forum, post_payload("shared-id")).json()
    b = submit(other_forum, post_payload("shared-id")).json()
    assert a["id"] != b["id"]


def test_missing_disclosure_is_not_disclosed_never_human(forum, submit):
    response = submit(forum, post_payload("p-1", omit_disclosure=True))
    assert response.status_code == 202
    assert response.json()["label"]["value"] == "not_disclosed"
    assert Revision.objects.get().disclosure is None
    detail = forum.http.get(f"/api/v1/submissions/{response.json()['id']}").json()
    assert detail["label"]["value"] == "not_disclosed" and detail["label"]["iptc_digital_source_type"] is None


def test_category_requiring_a_disclosure_answers_422_with_allowed_values_and_policy(forum, submit):
    response = submit(forum, post_payload("p-1", category="news", omit_disclosure=True))
    assert response.status_code == 422
    body = response.json()
    assert error_fields(response) == ["disclosure"]
    assert body["policy_url"] == "https://forum-a.example/ai-policy"
    assert "drafting" in body["allowed_values"]["assistance.kind"]
    assert body["allowed_values"]["human_only"] == [True, False]
    assert body["disclosure_schema"].endswith("/api/v1/disclosure-schema")
    assert not Submission.objects.exists()


@pytest.mark.parametrize("category", ["News", "NEWS", " news", "news ", "news\u200b", "ｎｅｗｓ"])
def test_a_category_requiring_a_disclosure_is_the_same_category_however_it_is_typed(forum, submit, category):
    response = submit(forum, post_payload("p-1", category=category, omit_disclosure=True))
    assert response.status_code == 422 and error_fields(response) == ["disclosure"]
    assert not Submission.objects.exists()


def test_a_category_is_stored_without_surrounding_spaces(forum, submit):
    response = submit(forum, post_payload("p-1", category="  general  "))
    assert response.status_code == 202
    assert Submission.objects.get().category == "general"


@pytest.mark.parametrize("change, fields", [
    (lambda p: p.pop("title"), ["title"]),
    (lambda p: p.pop("author"), ["author"]),
    (lambda p: p["author"].pop("external_id"), ["author.external_id"]),
    (lambda p: p["author"].update(standing="god"), ["author.standing"]),
    (lambda p: p.update(format="rtf"), ["format"]),
    (lambda p: p.update(title="x" * 301), ["title"]),
    (lambda p: p.update(body=12), ["body"]),
    (lambda p: p.update(disclosur={}), ["disclosur"]),
    (lambda p: p["author"].update(nickname="x"), ["author.nickname"]),
    (lambda p: p.update(external_id="a\x00b"), ["external_id"]),
    (lambda p: p.update(external_id="   "), ["external_id"]),
    (lambda p: p["author"].update(external_id=" \t"), ["author.external_id"]),
    (lambda p: p.update(disclosure={"human_only": False, "assistance": [{"kind": "editing", "extent": "minor"}],
                                    "process": "short"}), ["disclosure.process"]),
    (lambda p: p.update(disclosure={"human_only": True, "process": "\x00"}), ["disclosure.process"]),
    (lambda p: p.update(disclosure={"human_only": False, "assistance": [{"kind": "editing", "extent": "minor",
                                                                          "tools": ["a\x00"]}]}),
     ["disclosure.assistance.0.tools.0"]),
    (lambda p: p.update(disclosure={"human_only": "yes"}), ["disclosure.human_only"]),
    (lambda p: p.update(disclosure=[1, 2]), ["disclosure"]),
    (lambda p: p.update(body=AI_BODY, disclosure=HUMAN_ONLY), ["disclosure.human_only"]),
    (lambda p: p.update(body=":::ai-written\nnever closed"), ["body"]),
    (lambda p: p.update(title="", body=""), ["title", "body"]),
    (lambda p: p.update(title=" \u200b\u200b", body="\u200b\u200d\ufeff\n\u2060"), ["title", "body"]),
    (lambda p: p.update(editor={"display_name": "Mo"}), ["editor.external_id"]),
    (lambda p: p.update(editor={"external_id": "m-1", "role": "moderator"}), ["editor.role"]),
    (lambda p: p.update(editor="m-1"), ["editor"]),
])
def test_invalid_input_is_400_with_field_errors(forum, submit, change, fields):
    payload = post_payload("p-1")
    change(payload)
    response = submit(forum, payload)
    assert response.status_code == 400, response.json()
    assert sorted(error_fields(response)) == sorted(fields)
    assert not Submission.objects.exists()


def test_honest_ai_block_with_matching_disclosure_is_accepted(forum, submit):
    response = submit(forum, post_payload("p-1", body=AI_BODY, disclosure=QUEUED_DISCLOSURE))
    assert response.status_code == 202
    assert response.json()["label"]["value"] == "ai_assisted"


@pytest.mark.parametrize("body, content_type, status, needle", [
    ('{"external_id": ', "application/json", 400, "JSON parse error"),
    ("[" * 50_000 + "]" * 50_000, "application/json", 400, "JSON parse error"),
    ("external_id=1", "application/x-www-form-urlencoded", 415, "Unsupported media type"),
    ("", "application/json", 400, "required"),
    ("[]", "application/json", 400, "Expected a dictionary"),
])
def test_unparseable_or_wrong_media_type_uses_the_same_error_shape(forum, body, content_type, status, needle):
    response = forum.http.generic("POST", "/api/v1/submissions", body, content_type=content_type)
    assert response.status_code == status
    assert needle in json.dumps(response.json())
    error_fields(response)


def test_body_over_the_configured_limit_is_413(forum, submit, settings):
    settings.MODERATION = {**settings.MODERATION, "MAX_SUBMISSION_BYTES": 2_000}
    response = submit(forum, post_payload("p-1", body="word " * 500))
    assert response.status_code == 413
    assert error_fields(response) == [""]
    assert not Submission.objects.exists()
    assert submit(forum, post_payload("p-1", body="word " * 100)).status_code == 202


def test_default_limit_is_200_kb(forum, submit):
    response = submit(forum, post_payload("p-1", body="word " * 41_000))  # 205 KB
    assert response.status_code == 413


def test_body_over_djangos_upload_limit_is_413_not_400(forum, submit, settings):
    """Django answers RequestDataTooBig with 400; the API promises 413."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = submit(forum, post_payload("p-1", body="word " * 400))
    assert response.status_code == 413
    assert error_fields(response) == [""]


def test_wrong_method_and_unknown_path_use_the_error_shape(forum):
    response = forum.http.put("/api/v1/submissions", {}, format="json")
    assert response.status_code == 405
    error_fields(response)
    for path in ("/api/v1/nope", "/api/v1/submissions/not-a-uuid", "/api/v1/submissions/",
                 "/api/v1/review-items/a%0Ab/decision"):  # a newline in the path too (schemathesis found it)
        response = forum.http.get(path)
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert error_fields(response) == [""]


@pytest.mark.parametrize("accept, status", [
    ("application/json", 200), ("*/*", 200), ("application/*", 200), ("text/html, application/json;q=0.1", 200),
    ("application/json;q=0.5, */*;q=0", 200),
    ("text/html", 406), ("application/json;q=0", 406), ("application/json; q=0.0, text/html", 406),
    ("*/*;q=0", 406), ("application/json;q=0, */*", 406),
])
def test_an_accept_header_that_refuses_json_gets_406_in_the_error_shape(forum, accept, status):
    """``q=0`` means "not this type" (RFC 9110 12.5.1); the answer would otherwise be JSON the client refused."""
    response = forum.http.get("/api/v1/health", HTTP_ACCEPT=accept)
    assert response.status_code == status and response["Content-Type"] == "application/json"
    if status == 406:
        assert error_fields(response) == [""]


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1.5"])
def test_a_number_out_of_range_inside_the_disclosure_is_400_on_that_field(forum, number):
    payload = post_payload("p-1", body=AI_BODY, disclosure=QUEUED_DISCLOSURE)
    raw = json.dumps({**payload, "disclosure": {**QUEUED_DISCLOSURE, "ai_share_percent": "@"}})
    response = forum.http.generic("POST", "/api/v1/submissions", raw.replace('"@"', number),
                                  content_type="application/json")
    assert response.status_code == 400, response.json()
    assert error_fields(response) == ["disclosure.ai_share_percent"]
    assert not Submission.objects.exists()


def test_a_version_saved_by_someone_else_names_its_editor_and_the_authors_next_names_none(forum, submit):
    """A moderator's fix in the other forum: the plugin recorded it as the author's own revision."""
    first = submit(forum, post_payload("e-1")).json()
    edited = post_payload("e-1", body="I wrote every word of this post myself, slowly (typo fixed).")
    edited["editor"] = {"external_id": "mod-9", "display_name": "Mo"}

    assert submit(forum, edited).status_code == 202
    detail = forum.http.get(f"/api/v1/submissions/{first['id']}").json()
    assert (detail["revision"], detail["edited_by"]) == (2, {"external_id": "mod-9", "display_name": "Mo"})

    assert submit(forum, post_payload("e-1", body="The author's own third version.")).status_code == 202
    assert forum.http.get(f"/api/v1/submissions/{first['id']}").json()["edited_by"] is None
