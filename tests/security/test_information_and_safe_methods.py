"""Small leaks and unsafe methods: a classifier's own error text (host names, a vendor's answer) reaches staff,
not client forums; reading notifications (a GET) changes nothing; deeply nested JSON is a 400 everywhere."""
import json

import pytest
from django.test import Client

from moderation.models import ClassifierResult, Notification

pytestmark = [pytest.mark.security, pytest.mark.django_db]

SECRET_DETAIL = "ConnectError: detector-7.internal.corp:8443 said 'vendor quota exceeded for key sk-live-123'"


def test_a_classifier_error_reaches_the_client_as_a_generic_message(forum, queued, moderator):
    created, item = queued
    result = ClassifierResult.objects.filter(revision=item.revision).first() or ClassifierResult.objects.create(
        revision=item.revision, classifier="remote", version="1", status="error")
    ClassifierResult.objects.filter(pk=result.pk).update(status="error", error=SECRET_DETAIL)
    body = forum.http.get(f"/api/v1/submissions/{created['id']}").content.decode()
    assert "detector-7.internal" not in body and "sk-live" not in body
    assert "could not score this revision" in body
    staff = Client()
    staff.force_login(moderator)
    page = staff.get(f"/moderation/items/{item.public_id}/").content.decode()
    assert "detector-7.internal.corp" in page  # staff keep the details


def test_reading_notifications_does_not_mark_them_read_a_post_does(make_post, author):
    post = make_post()
    from moderation.services.notify import notification_send

    notification_send(submission=post.submission, verb="review.approve")
    client = Client()
    client.force_login(author)
    page = client.get("/notifications/")
    assert page.status_code == 200 and "notification--unread" in page.content.decode()
    assert Notification.objects.filter(read_at__isnull=True).count() == 1  # a GET is safe
    assert client.get("/notifications/read/").status_code == 405
    assert client.post("/notifications/read/").status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    assert "notification--unread" not in client.get("/notifications/").content.decode()


def test_marking_read_touches_only_this_forums_notifications_not_a_client_forums_author_of_the_same_id(
        make_post, author, queued):
    """A client forum's author "7" is another person than this forum's user 7: their notifications (which the
    client reads back in the author's data export) are not this user's to mark read."""
    from moderation.services.notify import notification_send

    created, item = queued
    remote = Notification.objects.create(recipient_external_id=str(author.pk), submission=item.submission,
                                         verb="review.approve", message="Your post was approved.")
    notification_send(submission=make_post().submission, verb="review.approve")
    client = Client()
    client.force_login(author)

    assert client.post("/notifications/read/").status_code == 302

    remote.refresh_from_db()
    assert remote.read_at is None
    assert not Notification.objects.filter(submission__client__name="local", read_at__isnull=True).exists()


def test_marking_read_needs_the_csrf_token(author):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    assert client.post("/notifications/read/").status_code == 403


@pytest.mark.parametrize("depth", [500, 990, 3000, 100_000])
@pytest.mark.parametrize("url,template", [
    ("/api/v1/submissions", {"external_id": "p", "title": "t", "body": "b", "disclosure": "@@"}),
    ("/api/v1/submissions", "@@"),
    ("/api/v1/webhooks", {"url": "https://example.com/hook", "events": "@@"}),
    ("/api/v1/drafts", {"author_external_id": "@@"}),
])
def test_deeply_nested_json_is_a_4xx_never_a_500(forum, depth, url, template):
    nest = '{"a":' * depth + "1" + "}" * depth
    raw = nest if template == "@@" else json.dumps(template).replace('"@@"', nest)
    response = forum.http.generic("POST", url, raw, content_type="application/json",
                                  HTTP_IDEMPOTENCY_KEY=f"nest-{depth}")
    assert response.status_code == (413 if len(raw) > 200 * 1024 and url.endswith("submissions") else 400), \
        response.content[:300]
    assert response.json()["errors"]
