"""Deciding from an item page, as two moderators at once do (found by an outside review): the note to the
author goes with an approval, a refused decision keeps the reason picked, the page that follows a decision is
an item the moderator can still act on, a snooze can be undone, a hide says why, and a bulk conflict names the
post."""
from __future__ import annotations

import pytest
from django.urls import reverse

from moderation.models import Action, ReviewItem
from moderation.services.review import Actor, review_item_claim, review_item_decide, review_item_snooze

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(make_user):
    return make_user("second_mod", standing="trusted", is_staff=True, moderator=True)


def detail(item):
    return reverse("moderation:item_detail", args=[item.public_id])


def decide(client, item, action, data=None):
    return client.post(reverse("moderation:item_decide", args=[item.public_id, action]),
                       {"version": item.version, **(data or {})})


def flashes(response):
    return [str(m) for m in response.wsgi_request._messages]


def test_an_approval_from_the_item_page_sends_the_note_to_the_author(mod_client, queued_post, item_of):
    item = item_of(queued_post())
    page = mod_client.get(detail(item)).content.decode()
    assert 'form="decision-form"' in page and 'name="from_item_page"' in page  # Approve (a) sends the note too

    decide(mod_client, item, "approve", {"from_item_page": "1", "message": "You're right, restoring it."})

    decided = ReviewItem.objects.select_related("submission").get(pk=item.pk)
    assert decided.decision_message == "You're right, restoring it."
    assert "You're right, restoring it." in decided.submission.notifications.get().message


def test_a_queue_rows_approval_leaves_the_bulk_forms_rejection_note_out(mod_client, queued_post, item_of):
    item = item_of(queued_post())
    decide(mod_client, item, "approve", {"message": "Meant for the rows being rejected."})
    assert ReviewItem.objects.get(pk=item.pk).decision_message == ""


def test_a_refused_decision_keeps_the_reason_picked(mod_client, queued_post, item_of, templates):
    item = item_of(queued_post())
    mod_client.post(reverse("moderation:item_decide", args=[item.public_id, "reject"]),
                    {"version": item.version + 3, "template": "undisclosed-ai", "message": "Paragraph two."})
    page = mod_client.get(detail(item)).content.decode()
    assert '<option value="undisclosed-ai" selected>' in page
    assert "Paragraph two.</textarea>" in page


def test_approve_after_a_refused_rejection_goes_through_with_the_note(mod_client, queued_post, item_of, templates):
    """The refused rejection's reason comes back selected, and Approve (a) submits that form: every approval was
    then refused for carrying a rejection reason (found by review)."""
    item = item_of(queued_post())
    mod_client.post(reverse("moderation:item_decide", args=[item.public_id, "reject"]),
                    {"version": item.version + 3, "template": "undisclosed-ai", "from_item_page": "1"})
    decide(mod_client, item, "approve", {"template": "undisclosed-ai", "message": "On second reading, fine.",
                                         "from_item_page": "1"})
    decided = ReviewItem.objects.get(pk=item.pk)
    assert (decided.status, decided.decision_action, decided.decision_message) == \
        ("decided", "approve", "On second reading, fine.")


def test_after_a_decision_the_next_page_is_an_item_still_open(mod_client, queued_post, item_of, colleague):
    first, second, third, fourth = (item_of(queued_post(title=f"Post {n}")) for n in range(4))
    ordered = list(ReviewItem.objects.order_by("-priority", "created_at", "id"))
    current, drawn_next, claimed, still_open = ordered
    # while the first page is open, a colleague decides the item its "Next" link names and claims the one after
    review_item_decide(item_id=drawn_next.pk, actor=Actor.for_user(colleague), action="approve")
    review_item_claim(item_id=claimed.pk, actor=Actor.for_user(colleague))

    response = decide(mod_client, current, "approve", {"next": detail(drawn_next)})

    assert response.status_code == 302 and response["Location"] == detail(still_open)
    assert any("This is the next item in the queue." in m for m in flashes(response))


def test_after_the_last_open_item_the_queue_follows(mod_client, queued_post, item_of, colleague):
    current, other = (item_of(queued_post(title=f"Post {n}")) for n in range(2))
    review_item_decide(item_id=other.pk, actor=Actor.for_user(colleague), action="approve")
    response = decide(mod_client, current, "approve", {"next": detail(other)})
    assert response["Location"] == reverse("moderation:queue")
    assert not any("next item" in m for m in flashes(response))


def test_a_snoozed_item_says_until_when_and_can_be_woken(mod_client, moderator, queued_post, item_of):
    item = item_of(queued_post())
    snoozed = review_item_snooze(item_id=item.pk, actor=Actor.for_user(moderator), until_next_revision=True)
    page = mod_client.get(detail(item)).content.decode()
    assert "Snoozed until the author posts again." in page and "Back to the queue now" in page

    response = mod_client.post(reverse("moderation:item_wake", args=[item.public_id]), {"version": snoozed.version})

    assert response.status_code == 302
    woken = ReviewItem.objects.get(pk=item.pk)
    assert (woken.status, woken.snoozed_until_next_revision) == ("open", False)
    assert Action.objects.filter(item=item, verb="wake", actor_user=moderator).exists()


def test_a_hide_without_a_reason_is_refused_beside_the_reason(mod_client, queued_post, item_of):
    item = item_of(queued_post())
    response = decide(mod_client, item, "hide", {"from_item_page": "1"})
    assert response["Location"] == f"{detail(item)}#decision-form"
    assert ReviewItem.objects.get(pk=item.pk).status == "open"
    assert "Give a reason" in mod_client.get(detail(item)).content.decode()


def test_a_bulk_conflict_names_the_post(mod_client, queued_post, item_of, colleague, templates):
    item = item_of(queued_post(title="Ten habits of productive people"))
    review_item_claim(item_id=item.pk, actor=Actor.for_user(colleague))
    response = mod_client.post(reverse("moderation:bulk"), {
        "action": "reject", "template": "undisclosed-ai", "items": [f"{item.public_id}:{item.version}"]})
    assert any(m.startswith("“Ten habits of productive people”: ") for m in flashes(response))
    assert not any(str(item.public_id)[:8] in m for m in flashes(response))


def test_the_queue_and_item_pages_are_not_kept_by_the_browser(mod_client, queued_post, item_of):
    """Back after a bulk reject showed the browser's copy: decided rows as open, the counts of before."""
    item = item_of(queued_post())
    for url in (reverse("moderation:queue"), detail(item)):
        assert "no-store" in mod_client.get(url)["Cache-Control"]


def test_an_approval_on_appeal_tells_the_author_it_answers_their_appeal(client, author, rejected, moderator):
    client.force_login(author)
    client.post(reverse("forum:post_appeal", args=[rejected.public_id]), {"message": "I wrote it myself, truly."})
    page = client.get(reverse("forum:post_detail", args=[rejected.public_id])).content.decode()
    assert 'data-appeal="appealed"' in page and "You can appeal this decision once" not in page

    appeal = ReviewItem.objects.get(kind="appeal")
    review_item_decide(item_id=appeal.pk, actor=Actor.for_user(moderator), action="approve")

    latest = rejected.submission.notifications.order_by("-id").first()
    assert latest.message == "A moderator upheld your appeal: your post is back."
    page = client.get(reverse("forum:post_detail", args=[rejected.public_id])).content.decode()
    assert "Approved: the post is visible to readers" in " ".join(page.split())


def test_the_audit_log_shows_nothing_under_a_filter_it_cannot_read(mod_client, queued_post, item_of):
    item_of(queued_post())
    response = mod_client.get(reverse("moderation:audit"), {"submission": "not-a-uuid"})
    page = response.content.decode()
    assert response.status_code == 400 and response.context["rows"] == []
    assert "Post id: Enter a valid UUID." in page and "submission:" not in page


def test_the_audit_logs_who_filter_names_one_person(mod_client, make_user, queued_post, item_of, moderator):
    other = make_user("moderator2", standing="trusted", is_staff=True, moderator=True)
    first, second = item_of(queued_post()), item_of(queued_post())
    review_item_claim(item_id=first.pk, actor=Actor.for_user(moderator))
    review_item_claim(item_id=second.pk, actor=Actor.for_user(other))
    rows = mod_client.get(reverse("moderation:audit"), {"actor": "moderator", "verb": "claim"}).context["rows"]
    assert [a.actor_label for a in rows] == ["moderator"]


def test_the_label_menu_uses_the_badges_words(mod_client, queued_post, item_of):
    page = mod_client.get(detail(item_of(queued_post()))).content.decode()
    assert '<option value="ai_generated">Mostly AI-written</option>' in page


def _refusal(mod_client, item) -> str:
    response = decide(mod_client, item, "approve", {"from_item_page": "1"})  # the page's version, now old
    return next(m for m in flashes(response) if "changed this item" in m)


def test_a_stale_page_says_what_changed_the_item_a_colleague(mod_client, queued_post, item_of, colleague):
    item = item_of(queued_post())
    review_item_claim(item_id=item.pk, actor=Actor.for_user(colleague))
    assert _refusal(mod_client, item).startswith("second_mod changed this item since you opened it")


def test_a_stale_page_says_what_changed_the_item_the_authors_new_version(mod_client, queued_post, item_of,
                                                                         evaluate):
    """Found by review: "Someone else changed this item" after the author's edit suggested a colleague."""
    from forum.models import Post
    from forum.services import post_update

    from .conftest import AI_TEXT

    post = queued_post()
    item = item_of(post)
    post = Post.objects.get(pk=post.pk)
    post_update(post=post, category=post.category, title=post.revision.title, body=f"{AI_TEXT} Edited.",
                disclosure_data={"human_only": True})
    evaluate(Post.objects.get(pk=post.pk))
    assert _refusal(mod_client, item).startswith("A new version of the post, or new scores, changed this item")


def test_a_stale_page_says_what_changed_the_item_a_readers_report(mod_client, queued_post, item_of):
    from moderation.services.intake import local_client
    from moderation.services.reports import report_create

    post = queued_post()
    item = item_of(post)
    report_create(submission_id=post.submission_id, client=local_client(), reporter_external_id="r1")
    assert _refusal(mod_client, item).startswith("A reader's report changed this item")


def test_a_stale_page_says_when_the_moderator_changed_it_themselves(mod_client, moderator, queued_post, item_of):
    item = item_of(queued_post())
    review_item_claim(item_id=item.pk, actor=Actor.for_user(moderator))  # in another window
    assert _refusal(mod_client, item).startswith("You changed this item in another window")
