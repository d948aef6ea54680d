"""Decisions are bound to what the moderator read, and concurrent decisions resolve to exactly one.

A moderator reads revision 1; the author posts revision 2 before the pipeline has put it in front of them.
Approving revision 1 must not publish revision 2 unreviewed (it used to: the item's version still matched).
"""
from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from forum.services import post_update
from moderation.models import Action, ReviewItem, Submission
from moderation.services.review import Actor, ReviewConflict, review_item_decide

pytestmark = pytest.mark.reliability


def edit(post, body="I rewrote the whole post after reading the rules; every word is mine now."):
    """The author posts a new revision; its evaluation is queued after commit but has not run."""
    assert post_update(post=post, category=post.category, title=post.submission.current_revision.title, body=body,
                       disclosure_data={"human_only": True})
    post.submission.refresh_from_db()


@pytest.mark.django_db
def test_approving_the_revision_read_does_not_publish_a_newer_unreviewed_one(queued_post, item_of, moderator):
    post = queued_post()
    item = item_of(post)
    assert item.revision.number == 1
    edit(post)  # revision 2, not evaluated yet: the item still shows revision 1 at the same version
    item.refresh_from_db()
    with pytest.raises(ReviewConflict, match="revision 2"):
        review_item_decide(item_id=item.pk, actor=Actor.for_user(moderator), action="approve",
                           expected_version=item.version, expected_revision=1)
    submission = Submission.objects.get(pk=post.submission.pk)
    assert submission.visible is False and submission.status == "pending"
    assert ReviewItem.objects.get(pk=item.pk).status == "open"
    assert not Action.objects.filter(item=item, verb="approve").exists()


@pytest.mark.django_db
def test_once_the_new_revision_is_evaluated_the_decision_needs_its_number(queued_post, item_of, evaluate, moderator):
    post = queued_post()
    item = item_of(post)
    edit(post, body=post.submission.current_revision.body + "\n\nOne more sentence of my own, added later.")
    evaluate(post)  # the item now shows revision 2 (a new version)
    item.refresh_from_db()
    assert item.revision.number == 2
    with pytest.raises(ReviewConflict, match="You read revision 1"):
        review_item_decide(item_id=item.pk, actor=Actor.for_user(moderator), action="approve", expected_revision=1)
    review_item_decide(item_id=item.pk, actor=Actor.for_user(moderator), action="approve", expected_revision=2,
                       expected_version=item.version)
    assert Submission.objects.get(pk=post.submission.pk).visible is True


@pytest.mark.django_db
def test_the_web_form_carries_the_revision_and_answers_409(queued_post, item_of, moderator):
    post = queued_post()
    item = item_of(post)
    client = Client()
    client.force_login(moderator)
    page = client.get(reverse("moderation:item_detail", args=[item.public_id])).content.decode()
    assert 'name="revision" value="1"' in page
    edit(post)
    response = client.post(reverse("moderation:item_decide", args=[item.public_id, "approve"]),
                           {"version": item.version, "revision": 1}, HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    assert "revision 2" in response.json()["error"]
    followed = client.post(reverse("moderation:item_decide", args=[item.public_id, "approve"]),
                           {"version": item.version, "revision": 1}, follow=True)
    assert "revision 2" in followed.content.decode()
    assert Submission.objects.get(pk=post.submission.pk).visible is False


@pytest.mark.django_db
def test_the_api_decision_is_bound_to_the_revision(make_forum, classifiers, evaluate):
    from moderation.models import ApiClient
    from moderation.services.intake import submission_submit
    from tests.moderation.conftest import AI_TEXT, HUMAN_TEXT

    forum = make_forum("forum-r")
    kwargs = dict(client=ApiClient.objects.get(pk=forum.client.pk), external_id="p-1", author_external_id="u-1",
                  author_standing="regular", category="general", title="T", disclosure_data={"human_only": True})
    submission = submission_submit(body=f"{HUMAN_TEXT}\n\n{AI_TEXT}", **kwargs).submission
    from moderation.services.evaluation import revision_evaluate

    revision_evaluate(revision_id=submission.current_revision_id)
    item = submission.review_items.get()
    submission_submit(body=f"{HUMAN_TEXT}\n\nRewritten by hand.", **kwargs)  # revision 2, not yet evaluated
    url = f"/api/v1/review-items/{item.public_id}/decision"
    response = forum.http.post(url, {"action": "approve", "version": item.version, "revision": 1}, format="json")
    assert response.status_code == 409, response.content
    assert "revision 2" in response.json()["errors"][0]["message"]
    assert Submission.objects.get(pk=submission.pk).visible is False


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_decisions_on_one_item_one_wins_nineteen_get_409(queued_post, item_of, make_user,
                                                                           templates):
    item = item_of(queued_post())
    clients = []
    for n in range(20):
        client = Client()
        client.force_login(make_user(f"mod{n}", standing="trusted", is_staff=True, moderator=True))
        clients.append(client)
    barrier = threading.Barrier(20)
    codes = [None] * 20

    def decide(n):
        action = "approve" if n % 2 else "reject"
        data = {"version": item.version, "revision": 1, "template": "undisclosed-ai"}
        try:
            barrier.wait(timeout=30)
            codes[n] = clients[n].post(reverse("moderation:item_decide", args=[item.public_id, action]), data,
                                       HTTP_ACCEPT="application/json").status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == [200] + [409] * 19, codes
    decided = ReviewItem.objects.get(pk=item.pk)
    assert decided.status == "decided" and decided.version == item.version + 1
    assert Action.objects.filter(item=item, verb__in=["approve", "reject"]).count() == 1
