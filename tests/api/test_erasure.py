"""An author's right to erasure (GDPR Art. 17): ``POST /api/v1/erasures`` and the deletion of a local account
erase the author's words and name everywhere the plugin keeps them, and keep the moderation record without
them. An erased post is marked removed in the forum, takes no new revision and is never evaluated again."""
import json

import pytest

from disclosure.models import Draft
from moderation.models import Action, Notification, ReaderReport, Revision, ReviewItem, StatementOfReasons, Submission
from moderation.services.evaluation import revision_evaluate, revisions_to_rescore

from .conftest import DELVE_BODY, DISCLOSURE, error_fields, post_payload

pytestmark = pytest.mark.django_db

SECRET_WORDS = ("tides", "tapestry", "My secret process", "appeal in my own words", "reader note of mine",
                "Ada Lovelace")

def everything_stored() -> str:
    """Every row the plugin keeps that could hold an author's words, as one text to search."""
    rows = [Submission.objects.values(), Revision.objects.values(), ReviewItem.objects.values(),
            StatementOfReasons.objects.values(), Action.objects.values(), ReaderReport.objects.values(),
            Notification.objects.values(), Draft.objects.values()]
    return json.dumps([list(r) for r in rows], default=str)


def test_the_author_s_words_and_name_are_gone_and_the_moderation_record_stays(forum, history):
    ada, bob = history
    stored = everything_stored()
    assert all(words in stored for words in SECRET_WORDS)  # they were there
    text_hash = Revision.objects.get(submission__public_id=ada["id"]).content_hash
    assert text_hash in stored

    response = forum.http.post("/api/v1/erasures", {"author_external_id": "u-1"}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["pseudonym"].startswith("erased-")
    assert (body["submissions"], body["revisions"], body["reports"], body["drafts"]) == (1, 1, 1, 1)
    stored = everything_stored()
    assert [words for words in SECRET_WORDS if words in stored] == []
    assert '"u-1"' not in stored and text_hash not in stored  # a short text's hash can be guessed back
    # the record: the post is still rejected, under appeal, with its decision and statement
    submission = Submission.objects.get(public_id=ada["id"])
    assert submission.status == "queued" and submission.author_external_id == body["pseudonym"]
    assert ReviewItem.objects.filter(submission=submission, decision_action="reject").exists()
    assert ReviewItem.objects.filter(submission=submission, kind="appeal", status="open").exists()
    [statement] = StatementOfReasons.objects.filter(submission=submission)
    assert statement.data["facts_and_circumstances"]["flagged_passages"][0]["excerpt"] == ""
    assert statement.data["facts_and_circumstances"]["disclosure_fields"]["tools"] == ["DeepL"]
    revision = submission.current_revision
    assert revision.disclosure["assistance"] == [{"kind": "editing", "extent": "minor", "details": None}]
    report = ReaderReport.objects.get(submission__public_id=bob["id"])
    assert report.reporter_external_id == body["pseudonym"] and report.note == ""
    assert Action.objects.filter(verb="author_erased", submission=submission).count() == 1
    # the post shows as gone, to the API and to moderators
    detail = forum.http.get(f"/api/v1/submissions/{ada['id']}").json()
    assert detail["title"] == "" and detail["rendered_html"] == ""
    assert detail["removed_in_forum"]["reason"] == "deleted_by_author"
    # Bob's post is untouched
    assert Submission.objects.get(public_id=bob["id"]).author_external_id == "u-bob"


def test_an_erased_post_takes_no_new_revision_and_is_never_evaluated_again(forum, submit, history):
    ada, _bob = history
    forum.http.post("/api/v1/erasures", {"author_external_id": "u-1"}, format="json")
    again = submit(forum, post_payload("ada-1", body="Fresh words.", disclosure={"human_only": True}))
    assert again.status_code == 409 and error_fields(again) == ["external_id"]
    revision = Submission.objects.get(public_id=ada["id"]).current_revision
    assert revision_evaluate(revision_id=revision.pk, content_hash=revision.content_hash) is None
    assert revision.pk not in [pk for pk, _hash in revisions_to_rescore(everything=True)]
    # the same author id may post anew: a new person, or the same one back, starts from nothing
    assert submit(forum, post_payload("ada-2", body="Back again, by hand.")).status_code == 202


def test_erasing_again_erases_nothing_more_and_another_forum_s_author_is_untouched(forum, other_forum, submit,
                                                                                   history):
    submit(other_forum, post_payload("theirs-1"))  # another forum's author "u-1" is someone else
    forum.http.post("/api/v1/erasures", {"author_external_id": "u-1"}, format="json")
    again = forum.http.post("/api/v1/erasures", {"author_external_id": "u-1"}, format="json").json()
    assert again == {"pseudonym": None, "submissions": 0, "revisions": 0, "reports": 0, "drafts": 0,
                     "notifications": 0}
    assert Submission.objects.get(client=other_forum.client).author_external_id == "u-1"
    assert Action.objects.filter(verb="author_erased").count() == 1


@pytest.mark.parametrize("payload, field", [
    ({}, "author_external_id"), ({"author_external_id": "  "}, "author_external_id"),
    ({"author_external_id": "x" * 201}, "author_external_id"), ({"author": "u-1"}, "author"),
])
def test_bad_input_is_400_on_its_field_and_erases_nothing(forum, history, payload, field):
    response = forum.http.post("/api/v1/erasures", payload, format="json")
    assert response.status_code == 400 and field in error_fields(response)
    assert not Action.objects.filter(verb="author_erased").exists()


def test_a_moderate_only_key_cannot_erase(make_forum, history):
    moderate_only = make_forum("forum-c", scopes=("moderate",))
    assert moderate_only.http.post("/api/v1/erasures", {"author_external_id": "u-1"},
                                   format="json").status_code == 403


def test_deleting_a_local_account_erases_its_posts_texts_and_drafts(make_post, author, settings):
    post = make_post(body="Words only this member ever wrote, about moss.")
    Draft.objects.create(owner_key=f"user:{author.pk}")
    submission_id = post.submission_id

    author.delete()

    submission = Submission.objects.get(pk=submission_id)
    assert submission.author_erased_at is not None and submission.current_revision.body == ""
    assert "moss" not in everything_stored() and not Draft.objects.exists()


def test_an_operator_can_keep_the_plugin_s_data_when_an_account_is_deleted(make_post, author, settings):
    settings.MODERATION = {**settings.MODERATION, "ERASE_AUTHOR_ON_USER_DELETE": False}
    post = make_post(body="Words this member wrote, about lichen.")
    submission_id = post.submission_id
    author.delete()
    assert Submission.objects.get(pk=submission_id).current_revision.body.startswith("Words this member")


def test_the_command_erases_an_author_of_a_named_forum(forum, history):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("erase_author", "u-1", "--client", "forum-a", stdout=out)
    assert "Erased author “u-1” of “forum-a”, now “erased-" in out.getvalue()
    assert "1 post(s)" in out.getvalue() and "tapestry" not in everything_stored()
    call_command("erase_author", "u-1", "--client", "forum-a", stdout=out)
    assert "Nothing of author “u-1” of “forum-a” is left to erase." in out.getvalue()
    with pytest.raises(CommandError, match="No API client is called “nope”"):
        call_command("erase_author", "u-1", "--client", "nope")


# --- Found by a review: what an erasure must also reach, and what it must keep from coming back -----------

def test_an_evaluation_that_was_reading_the_text_when_it_was_erased_decides_nothing(forum, submit, with_classifier,
                                                                                    monkeypatch):
    """The classifiers read the text, the erasure commits, then the evaluation takes the lock: it writes no
    evaluation, opens no item and quotes nothing in a statement."""
    from moderation.services import evaluation
    from moderation.services.erasure import author_erase
    from moderation.services.review import Actor

    created = submit(forum, post_payload("ada-9", body=DELVE_BODY, standing="new")).json()
    revision = Revision.objects.get(submission__public_id=created["id"])
    classify = evaluation.revision_classify

    def classify_then_erase(**kwargs):
        results = classify(**kwargs)
        author_erase(client=forum.client, author_external_id="u-1", actor=Actor.system())
        return results

    monkeypatch.setattr(evaluation, "revision_classify", classify_then_erase)
    assert revision_evaluate(revision_id=revision.pk, content_hash=revision.content_hash) is None
    assert not revision.evaluations.exists() and not ReviewItem.objects.exists()
    assert not StatementOfReasons.objects.exists() and "tapestry" not in everything_stored()


def test_after_an_erasure_the_post_stays_hidden_unappealable_and_removed(forum, history):
    ada, _bob = history
    forum.http.post("/api/v1/erasures", {"author_external_id": "u-1"}, format="json")
    submission = Submission.objects.get(public_id=ada["id"])
    assert submission.visible is False
    # its open appeal (filed before) can still be decided, for the record, but approving it shows nothing
    appeal = ReviewItem.objects.get(submission=submission, kind="appeal")
    decided = forum.http.post(f"/api/v1/review-items/{appeal.public_id}/decision",
                              {"action": "approve", "reason": "ok", "version": appeal.version}, format="json")
    assert decided.status_code == 200
    submission.refresh_from_db()
    assert submission.status == "approved" and submission.visible is False
    assert forum.http.delete(f"/api/v1/submissions/{ada['id']}/removal").status_code == 409
    assert forum.http.get(f"/api/v1/submissions/{ada['id']}").json()["removed_in_forum"] is not None
    Submission.objects.filter(pk=submission.pk).update(status="rejected")
    again = forum.http.post(f"/api/v1/submissions/{ada['id']}/appeal",
                            {"message": "A second appeal in my own words, after the erasure."}, format="json")
    assert again.status_code == 409 and "erased" in again.json()["errors"][0]["message"]


def test_a_new_removal_reason_for_an_erased_authors_post_is_a_conflict_as_its_restoring_is(forum, history):
    """PUT answered 200 with the erasure's reason unchanged: it did nothing and said nothing, where DELETE is 409."""
    ada, _bob = history
    forum.http.post("/api/v1/erasures", {"author_external_id": "u-1"}, format="json")
    before = Submission.objects.values("host_removed_reason", "host_removed_note").get(public_id=ada["id"])
    actions = Action.objects.count()
    response = forum.http.put(f"/api/v1/submissions/{ada['id']}/removal",
                              {"reason": "removed_by_moderators", "note": "spam"}, format="json")
    assert response.status_code == 409 and "erased" in response.json()["errors"][0]["message"]
    assert Submission.objects.values("host_removed_reason", "host_removed_note").get(public_id=ada["id"]) == before
    assert Action.objects.count() == actions


def test_a_draft_started_without_an_author_id_that_became_their_post_goes_too(forum, submit):
    draft = forum.http.post("/api/v1/drafts", {}, format="json").json()
    forum.http.post(f"/api/v1/drafts/{draft['id']}/assistance",
                    {"kind": "editing", "extent": "minor", "details": "private draft details"}, format="json")
    payload = post_payload("ada-3", disclosure=DISCLOSURE)
    payload["draft_id"] = draft["id"]
    assert submit(forum, payload).status_code == 202
    forum.http.post("/api/v1/erasures", {"author_external_id": "u-1"}, format="json")
    assert not Draft.objects.exists()


def test_what_classifiers_wrote_about_the_text_goes_and_their_scores_stay(forum, submit):
    from moderation.models import ClassifierResult

    created = submit(forum, post_payload("ada-4")).json()
    revision = Revision.objects.get(submission__public_id=created["id"])
    ClassifierResult.objects.create(
        revision=revision, classifier="llm_judge", version="1", status="ok", score=0.8,
        details={"reasons": ["It says 'tapestry' twice"], "model": "judge-1"},
        passage_scores=[{"start": 0, "end": 10, "probability": 0.8, "kind": "author",
                         "spans": [{"start": 0, "end": 10, "probability": 0.8, "label": "the tapestry line"}]}])
    forum.http.post("/api/v1/erasures", {"author_external_id": "u-1"}, format="json")
    result = ClassifierResult.objects.get(classifier="llm_judge")
    assert result.details == {"reasons": [], "model": "judge-1"} and result.score == 0.8
    assert result.passage_scores[0]["spans"][0] == {"start": 0, "end": 10, "probability": 0.8, "label": ""}


def test_their_name_as_the_editor_of_someone_else_s_post_goes_too(forum, submit):
    bob_payload = post_payload("bob-2")
    bob_payload["author"] = {"external_id": "u-bob", "display_name": "Bob", "standing": "regular"}
    submit(forum, bob_payload)
    edit = {**bob_payload, "body": "Bob's words, tidied by Ada.",
            "editor": {"external_id": "u-1", "display_name": "Ada Lovelace"}}
    assert submit(forum, edit).status_code == 202
    body = forum.http.post("/api/v1/erasures", {"author_external_id": "u-1"}, format="json").json()
    assert body["pseudonym"] and "Ada Lovelace" not in everything_stored()
    assert Revision.objects.get(number=2).editor_external_id == body["pseudonym"]


def test_the_command_erases_a_local_member_s_drafts_and_their_name_as_a_reader(make_post, author, make_user):
    from django.core.management import call_command

    from moderation.services.reports import report_by_member

    post = make_post(body="A post of mine about moss, written by hand.")
    Draft.objects.create(owner_key=f"user:{author.pk}", events=[{"kind": "editing", "details": "moss draft"}])
    other = make_post(user=make_user("bob"), body="Bob's own post about ferns, written by hand.")
    report_by_member(submission_id=other.submission_id, user=author, note="a reader note of mine")
    call_command("erase_author", str(author.pk))
    stored = everything_stored()
    assert "moss" not in stored and "reader note of mine" not in stored and not Draft.objects.exists()
    assert not Action.objects.filter(actor_label=author.get_username()).exists()
    assert Submission.objects.get(pk=post.submission_id).author_erased_at is not None


def test_the_api_s_stored_answers_for_retries_that_name_the_author_go_too(forum, history):
    """Found by review: a report's answer, stored for 24 hours for a retry with its Idempotency-Key, kept the
    reporter's note and id after their erasure, and a retry returned them."""
    from moderation.models import IdempotencyRecord

    _ada, bob = history
    url = f"/api/v1/submissions/{bob['id']}/reports"
    payload = {"reporter_external_id": "u-9", "note": "My private words about this post."}
    assert forum.http.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="r-9").status_code == 201
    forum.http.post("/api/v1/drafts", {"author_external_id": "u-bob"}, format="json", HTTP_IDEMPOTENCY_KEY="d-bob")
    assert IdempotencyRecord.objects.count() == 2

    assert forum.http.post("/api/v1/erasures", {"author_external_id": "u-9"}, format="json").status_code == 200

    assert "My private words" not in everything_stored() + json.dumps(
        list(IdempotencyRecord.objects.values("response_body")))
    assert IdempotencyRecord.objects.count() == 1  # Bob's draft is not theirs: its retry still replays
    # a retry is a new request now: what it sends is stored again, as any new report is
    assert "Idempotent-Replayed" not in forum.http.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="r-9")


def test_the_stored_answers_of_a_draft_started_without_an_author_id_that_became_their_post_go_too(forum, submit):
    """Found by review: such a draft goes with the author's data, but its answers (its recorded help's details)
    name only the draft, and a retry with the same key still returned the erased author's words."""
    from moderation.models import IdempotencyRecord

    draft = forum.http.post("/api/v1/drafts", {}, format="json", HTTP_IDEMPOTENCY_KEY="d-0").json()
    url = f"/api/v1/drafts/{draft['id']}/assistance"
    help_given = {"kind": "editing", "extent": "minor", "details": "private draft details"}
    assert forum.http.post(url, help_given, format="json", HTTP_IDEMPOTENCY_KEY="a-0").status_code == 201
    payload = post_payload("ada-3", disclosure=DISCLOSURE)
    payload["draft_id"] = draft["id"]
    assert submit(forum, payload).status_code == 202
    other = forum.http.post("/api/v1/drafts", {}, format="json", HTTP_IDEMPOTENCY_KEY="d-other")
    assert other.status_code == 201

    assert forum.http.post("/api/v1/erasures", {"author_external_id": "u-1"}, format="json").status_code == 200

    assert not Draft.objects.filter(public_id=draft["id"]).exists()
    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == ["d-other"]
    again = forum.http.post(url, help_given, format="json", HTTP_IDEMPOTENCY_KEY="a-0")
    assert "private draft details" not in again.content.decode() and "Idempotent-Replayed" not in again


def test_only_answers_naming_exactly_the_author_go(forum, submit):
    """Found by review: the id was matched as a substring, so erasing u-1 also forgot u-12's stored answers
    (and on SQLite, U-1's), whose retries were then done a second time."""
    from moderation.models import IdempotencyRecord

    submit(forum, post_payload("p-1"))  # u-1's post, so there is something to erase
    for author in ("u-12", "U-1"):
        forum.http.post("/api/v1/drafts", {"author_external_id": author}, format="json",
                        HTTP_IDEMPOTENCY_KEY=f"d-{author}")
    forum.http.post("/api/v1/drafts", {"author_external_id": "u-1"}, format="json", HTTP_IDEMPOTENCY_KEY="d-u-1")

    assert forum.http.post("/api/v1/erasures", {"author_external_id": "u-1"}, format="json").status_code == 200

    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == ["d-U-1", "d-u-12"]
    forum.http.post("/api/v1/drafts", {"author_external_id": "u-12"}, format="json", HTTP_IDEMPOTENCY_KEY="d-u-12")
    assert Draft.objects.filter(owner_key__endswith=":u-12").count() == 1


# --- Found by an operator's review --------------------------------------------------------------------------

def test_a_member_is_erased_before_any_member_has_posted(author):
    """On a new forum no post has been sent through the host's client yet; erasing a member who only saved
    drafts erases those (the command answered "No API client is called “local”" and exit status 1)."""
    from io import StringIO

    from django.core.management import call_command

    from moderation.models import ApiClient

    assert not ApiClient.objects.filter(name=ApiClient.LOCAL_NAME).exists()
    Draft.objects.create(owner_key=f"user:{author.pk}", events=[{"kind": "editing", "details": "moss draft"}])
    out = StringIO()
    call_command("erase_author", str(author.pk), stdout=out)
    assert not Draft.objects.exists() and "moss" not in everything_stored()
