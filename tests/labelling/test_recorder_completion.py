"""The recorder, completed: the editor's hook endpoints record AI help on the author's own draft, the post
links the draft it came from (``used_at``, ``used_for``), and a disclosure that declares less than the tools
recorded puts the post in the queue with reason ``recorded_vs_declared``, visible meanwhile: a reason for a
person, never an automatic action."""
from __future__ import annotations

import json

import pytest
from django.urls import reverse

from disclosure.models import Draft
from disclosure.recorder import recorded_vs_declared
from disclosure.schema import Disclosure
from forum.models import Post
from moderation.models import ReviewItem

pytestmark = pytest.mark.django_db

DECLARED = {"human_only": False, "assistance": [{"kind": "translation", "extent": "substantial"}],
            "tools": ["DeepL"], "ai_share_percent": 0,
            "process": "I wrote it in German and DeepL translated it; I corrected the translation."}


def record(client, draft_id, **use):
    return client.post(reverse("disclosure:draft_record", args=[draft_id]), use, content_type="application/json")


def start(client):
    response = client.post(reverse("disclosure:draft_create"))
    assert response.status_code == 201
    return response.json()["id"]


def publish(client, draft_id, disclosure_fields, category):
    """The new-post form as the browser posts it: to its own address, which the hook gave ``?draft=``."""
    data = {"title": "Translated", "category": str(category.pk), "format": "markdown",
            "body": "A post I wrote in German; the translation is the tool's, corrected by me.",
            "ai_share_percent": "0", "tools": "", "process": "", "verification": "", **disclosure_fields}
    return client.post(f"{reverse('forum:post_new')}?draft={draft_id}", data)


def test_the_hook_endpoints_record_on_the_authors_own_draft(client, author, make_user):
    client.force_login(author)
    draft_id = start(client)

    response = record(client, draft_id, kind="translation", extent="substantial", tool="DeepL")

    assert response.status_code == 201
    assert response.json()["disclosure_prefill"] == {
        "human_only": False, "assistance": [{"kind": "translation", "extent": "substantial"}], "tools": ["DeepL"]}
    bad = record(client, draft_id, kind="telepathy", extent="minor")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "kind"
    assert record(client, draft_id, kind=["x"], extent="minor").status_code == 400
    client.force_login(make_user("intruder"))
    assert record(client, draft_id, kind="editing", extent="minor").status_code == 404
    assert len(Draft.objects.get(public_id=draft_id).events) == 1


@pytest.mark.parametrize("raw, field", [
    (json.dumps({"kind": "editing", "extent": "minor", "details": "a\u0000b"}), "details"),
    (json.dumps({"kind": "editing", "extent": "minor", "tool": "To\u0000ol"}), "tool"),
    ('{"kind": "editing", "extent": "minor", "details": "\\ud800"}', "details"),
    ('{"kind": "editing", "extent": "minor", "tool": "\\ud800x"}', "tool"),
    ("[" * 100_000, ""),
])
def test_the_editors_recorder_refuses_what_cannot_be_stored_on_its_field(client, author, raw, field):
    """Found by review: a NUL or a lone surrogate in the JSON answered 500 on PostgreSQL, and a body nested past
    the parser's depth answered 500 everywhere (the API's serializers refused the first two already)."""
    client.force_login(author)
    draft = client.post("/disclosure/drafts/").json()

    response = client.post(f"/disclosure/drafts/{draft['id']}/assistance/", raw, content_type="application/json")

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert Draft.objects.get(public_id=draft["id"]).events == []


def test_a_post_links_its_draft_and_an_understated_disclosure_is_queued_not_hidden(client, author, category,
                                                                                  django_capture_on_commit_callbacks):
    client.force_login(author)
    draft_id = start(client)
    record(client, draft_id, kind="translation", extent="substantial", tool="DeepL")

    with django_capture_on_commit_callbacks(execute=True):  # the evaluation runs after commit
        response = publish(client, draft_id, {"human_only": "on"}, category)

    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get()
    draft = Draft.objects.get(public_id=draft_id)
    assert draft.used_at is not None and draft.used_for == str(post.public_id)
    revision = post.submission.current_revision
    assert revision.recorded_assistance["assistance"] == [{"kind": "translation", "extent": "substantial"}]
    item = ReviewItem.objects.get(submission=post.submission)
    assert "recorded_vs_declared" in item.reasons
    post.submission.refresh_from_db()
    assert (post.submission.status, post.submission.visible) == ("queued", True)
    assert item.evaluation.outcome == "publish_and_queue"
    assert item.evaluation.details["recorded_vs_declared"] == [
        "the tools recorded AI help (translation), and the post is declared human-written"]


def test_a_disclosure_that_declares_what_was_recorded_is_published(client, author, category,
                                                                  django_capture_on_commit_callbacks):
    client.force_login(author)
    draft_id = start(client)
    record(client, draft_id, kind="translation", extent="substantial", tool="DeepL")

    with django_capture_on_commit_callbacks(execute=True):
        response = publish(client, draft_id, {"assist_translation": "substantial", "tools": "DeepL",
                                              "process": DECLARED["process"]}, category)

    assert response.status_code == 302, response.content.decode()[:3000]
    post = Post.objects.get()
    post.submission.refresh_from_db()
    assert post.submission.status == "published" and not ReviewItem.objects.exists()


@pytest.mark.parametrize("declared, gaps", [
    (None, ["the tools recorded AI help, and the post carries no disclosure"]),
    (DECLARED, []),
    ({**DECLARED, "assistance": [{"kind": "translation", "extent": "minor"}]},
     ["translation: recorded substantial, declared minor"]),
    ({**DECLARED, "assistance": [{"kind": "translation", "extent": "most"}]}, []),
    ({**DECLARED, "assistance": [{"kind": "editing", "extent": "most"}],
      "process": "The model edited my wording throughout; I checked every sentence."},
     ["translation: recorded substantial, not declared"]),
])
def test_what_counts_as_declaring_less_than_was_recorded(declared, gaps):
    recorded = {"human_only": False, "assistance": [{"kind": "translation", "extent": "substantial"}]}
    disclosure = Disclosure.model_validate(declared) if declared else None
    assert recorded_vs_declared(recorded, disclosure) == gaps
    assert recorded_vs_declared(None, disclosure) == []
