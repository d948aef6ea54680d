"""A client sees only its own submissions, review items and webhooks: another client's ids are 404, and its
lists never contain them."""
import pytest

from moderation.models import ReviewItem

from .conftest import post_payload

pytestmark = pytest.mark.django_db


def test_client_b_cannot_read_decide_or_list_client_a_items(forum, other_forum, queued, submit):
    created, item = queued
    b_post = submit(other_forum, post_payload("b-1")).json()

    assert other_forum.http.get(f"/api/v1/submissions/{created['id']}").status_code == 404
    assert forum.http.get(f"/api/v1/submissions/{b_post['id']}").status_code == 404

    assert other_forum.http.get("/api/v1/review-items").json()["results"] == []
    assert [r["id"] for r in forum.http.get("/api/v1/review-items").json()["results"]] == [str(item.public_id)]

    claim = other_forum.http.post(f"/api/v1/review-items/{item.public_id}/claim", {}, format="json")
    decide = other_forum.http.post(f"/api/v1/review-items/{item.public_id}/decision",
                                   {"action": "approve", "version": item.version}, format="json")
    assert claim.status_code == 404 and decide.status_code == 404
    assert ReviewItem.objects.get(pk=item.pk).status == "open" and ReviewItem.objects.get(pk=item.pk).version == 1


def test_client_b_cannot_see_or_delete_client_a_webhooks(forum, other_forum, httpserver):
    created = forum.http.post("/api/v1/webhooks", {"url": httpserver.url_for("/hook"),
                                                   "events": ["review.decided"]}, format="json").json()
    assert other_forum.http.get("/api/v1/webhooks").json() == []
    for method in ("get", "delete"):
        assert getattr(other_forum.http, method)(f"/api/v1/webhooks/{created['id']}").status_code == 404
    assert other_forum.http.get(f"/api/v1/webhooks/{created['id']}/deliveries").status_code == 404
    assert forum.http.get(f"/api/v1/webhooks/{created['id']}").status_code == 200


def test_the_host_forums_own_posts_are_invisible_to_api_clients(forum, make_post):
    post = make_post()
    from moderation.models import Submission

    local = Submission.objects.get(client__name="local")
    assert forum.http.get(f"/api/v1/submissions/{local.public_id}").status_code == 404
    assert post is not None
