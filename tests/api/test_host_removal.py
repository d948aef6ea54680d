"""``PUT`` / ``DELETE /api/v1/submissions/{id}/removal``: another forum says it removed a post itself (its own
delete) or brought it back. Not a decision here: the post's status, item and label stay; moderators are told."""
import pytest
from django.test import Client

from moderation.models import Action, ReviewItem

from .conftest import error_fields, post_payload

pytestmark = pytest.mark.django_db


def removal_url(submission_id) -> str:
    return f"/api/v1/submissions/{submission_id}/removal"


def test_a_removal_is_stored_shown_and_audited_and_changes_no_decision(forum, queued):
    created, item = queued
    response = forum.http.put(removal_url(created["id"]), {"reason": "deleted_by_author",
                                                           "note": "Deleted by Ada on 5 Dec."}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["removed_in_forum"]["reason"] == "deleted_by_author"
    assert body["removed_in_forum"]["note"] == "Deleted by Ada on 5 Dec."
    assert body["removed_in_forum"]["at"]
    # not a moderation decision: the post waits for a moderator as before, its item untouched
    assert body["status"] == "queued" and body["review_item"]["status"] == "open"
    item.refresh_from_db()
    assert item.status == "open" and item.version == 1
    [row] = Action.objects.filter(verb="host_remove")
    assert row.actor_label == "api:forum-a" and row.item is None and row.note == "Deleted by Ada on 5 Dec."
    assert row.data == {"reason": "deleted_by_author"}
    assert forum.http.get(created["url"]).json()["removed_in_forum"]["reason"] == "deleted_by_author"


def test_saying_it_again_writes_nothing_and_a_new_reason_replaces_the_old(forum, queued):
    created, _item = queued
    url = removal_url(created["id"])
    first = forum.http.put(url, {"reason": "removed_by_moderators"}, format="json").json()["removed_in_forum"]
    again = forum.http.put(url, {"reason": "removed_by_moderators"}, format="json").json()["removed_in_forum"]
    assert again == first and Action.objects.filter(verb="host_remove").count() == 1
    changed = forum.http.put(url, {"reason": "other", "note": "Spam wave."}, format="json").json()
    assert changed["removed_in_forum"]["reason"] == "other" and changed["removed_in_forum"]["at"] == first["at"]
    assert Action.objects.filter(verb="host_remove").count() == 2
    assert Action.objects.filter(verb="host_remove").first().data == {"reason": "other", "changed": True}


def test_restoring_clears_it_once(forum, queued):
    created, _item = queued
    url = removal_url(created["id"])
    forum.http.put(url, {"reason": "deleted_by_author"}, format="json")
    restored = forum.http.delete(url)
    assert restored.status_code == 200 and restored.json()["removed_in_forum"] is None
    assert forum.http.delete(url).status_code == 200
    [row] = Action.objects.filter(verb="host_restore")
    assert row.data == {"reason_was": "deleted_by_author"}
    assert forum.http.get(created["url"]).json()["removed_in_forum"] is None


def test_the_review_queue_over_the_api_says_which_posts_are_gone(forum, queued):
    created, _item = queued
    listed = forum.http.get("/api/v1/review-items").json()["results"]
    assert listed[0]["submission"]["removed_in_forum"] is None
    forum.http.put(removal_url(created["id"]), {"reason": "deleted_by_author"}, format="json")
    listed = forum.http.get("/api/v1/review-items").json()["results"]
    assert listed[0]["submission"]["removed_in_forum"]["reason"] == "deleted_by_author"


def test_the_moderators_queue_and_item_page_say_the_post_was_removed_in_the_forum(forum, queued, moderator):
    created, item = queued
    forum.http.put(removal_url(created["id"]), {"reason": "deleted_by_author", "note": "Gone since Monday."},
                   format="json")
    browser = Client()
    browser.force_login(moderator)
    queue = browser.get("/moderation/").content.decode()
    assert "data-removed-by-host" in queue and "The author deleted it. Gone since Monday." in queue
    page = browser.get(f"/moderation/items/{item.public_id}/").content.decode()
    assert "Removed in the forum: The author deleted it. Gone since Monday." in page
    assert "Removed in the forum" in browser.get("/moderation/audit/").content.decode()


@pytest.mark.parametrize("payload, field", [
    ({"reason": "because"}, "reason"),
    ({}, "reason"),
    ({"reason": "other", "note": "x" * 501}, "note"),
    ({"reason": "other", "note": "bad\x00byte"}, "note"),
    ({"reason": "other", "reasn": "typo"}, "reasn"),
])
def test_bad_input_is_400_on_its_field_and_stores_nothing(forum, queued, payload, field):
    created, _item = queued
    response = forum.http.put(removal_url(created["id"]), payload, format="json")
    assert response.status_code == 400 and field in error_fields(response)
    assert forum.http.get(created["url"]).json()["removed_in_forum"] is None
    assert not Action.objects.filter(verb="host_remove").exists()


def test_another_forums_post_is_not_found_and_a_moderate_only_key_is_refused(forum, other_forum, make_forum,
                                                                            queued):
    created, _item = queued
    assert other_forum.http.put(removal_url(created["id"]), {"reason": "other"}, format="json").status_code == 404
    assert other_forum.http.delete(removal_url(created["id"])).status_code == 404
    moderate_only = make_forum("forum-c", scopes=("moderate",))
    assert moderate_only.http.put(removal_url(created["id"]), {"reason": "other"},
                                  format="json").status_code == 403
    assert not Action.objects.filter(verb="host_remove").exists()


def test_a_published_post_can_be_removed_and_stays_published_here(forum, submit):
    created = submit(forum, post_payload("p-9")).json()
    body = forum.http.put(removal_url(created["id"]), {"reason": "removed_by_moderators"}, format="json").json()
    assert body["status"] == "published" and body["visible"] is True
    assert body["removed_in_forum"]["reason"] == "removed_by_moderators"
    assert not ReviewItem.objects.exists()


def test_the_api_queue_filters_on_posts_removed_in_the_forum(forum, queued, submit):
    from .conftest import QUEUED_DISCLOSURE

    created, _item = queued
    other = submit(forum, post_payload("queued-2", standing="new", disclosure=QUEUED_DISCLOSURE,
                                       body="Another outline, then a section the model drafted.")).json()
    forum.http.put(removal_url(created["id"]), {"reason": "deleted_by_author"}, format="json")

    def ids(query):
        response = forum.http.get(f"/api/v1/review-items{query}")
        assert response.status_code == 200, response.json()
        return [row["submission"]["id"] for row in response.json()["results"]]

    assert ids("?removed_in_forum=true") == [created["id"]]
    assert ids("?removed_in_forum=false") == [other["id"]]
    assert sorted(ids("")) == sorted([created["id"], other["id"]])
    assert forum.http.get("/api/v1/review-items?removed_in_forum=perhaps").status_code == 400
