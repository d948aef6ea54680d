"""A post another forum sends through the API reaches the same moderator queue as the host forum's own
posts: it is listed in the web queue at /moderation/, and a web moderator's decision is what the API reports."""
import pytest

pytestmark = pytest.mark.django_db


def test_api_submission_appears_in_the_web_moderator_queue(forum, queued, client, moderator):
    created, item = queued
    client.force_login(moderator)
    page = client.get("/moderation/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/moderation/items/{item.public_id}/" in html
    detail = client.get(f"/moderation/items/{item.public_id}/")
    assert detail.status_code == 200
    assert "My outline, then a section the model drafted and I edited." in detail.content.decode()


def test_a_web_moderators_decision_is_reported_by_the_api(forum, queued, client, moderator):
    created, item = queued
    client.force_login(moderator)
    response = client.post(f"/moderation/items/{item.public_id}/approve/", {"version": item.version})
    assert response.status_code in (200, 302)
    body = forum.http.get(f"/api/v1/submissions/{created['id']}").json()
    assert body["status"] == "approved"
    assert body["decision"]["action"] == "approve"
    listed = forum.http.get("/api/v1/review-items?status=decided").json()["results"]
    assert [row["id"] for row in listed] == [str(item.public_id)]
