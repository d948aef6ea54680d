"""The author's side of a decision: the status and the moderator's message on the post page and in the
notifications, resubmitting after a change request, and appealing a rejection or a hide once."""
from __future__ import annotations

import pytest
from django.urls import reverse

from forum.models import Post
from forum.services import post_update
from moderation.models import ReviewItem
from moderation.services.review import Actor, review_item_reject, review_item_request_changes

from .conftest import HUMAN_TEXT

pytestmark = pytest.mark.django_db


def test_the_author_sees_the_status_and_message_on_the_post(client, author, rejected, templates):
    client.force_login(author)
    page = client.get(reverse("forum:post_detail", args=[rejected.public_id])).content.decode()
    assert "Status: Rejected." in page and "The last paragraph reads as AI-written." in page


def test_the_author_sees_the_reason_in_the_notifications(client, author, rejected, templates):
    client.force_login(author)
    page = client.get(reverse("forum:notifications")).content.decode()
    assert "A moderator rejected your post." in page and "The last paragraph reads as AI-written." in page


def test_readers_do_not_see_a_rejected_post(client, make_user, rejected):
    client.force_login(make_user("reader"))
    assert client.get(reverse("forum:post_detail", args=[rejected.public_id])).status_code == 404


def test_the_author_appeals_once(client, author, rejected):
    client.force_login(author)
    url = reverse("forum:post_appeal", args=[rejected.public_id])
    page = client.get(reverse("forum:post_detail", args=[rejected.public_id])).content.decode()
    assert url in page
    response = client.post(url, {"message": "I wrote it myself; I can share my drafts."})
    assert response.status_code == 302
    appeal = ReviewItem.objects.get(submission=rejected.submission, kind="appeal")
    assert (appeal.status, appeal.appeal_message) == ("open", "I wrote it myself; I can share my drafts.")
    page = client.get(reverse("forum:post_detail", args=[rejected.public_id])).content.decode()
    assert url not in page  # the button is gone
    response = client.post(url, {"message": "Another appeal, please look again."}, follow=True)
    assert "already" in response.content.decode() or "once" in response.content.decode()
    assert ReviewItem.objects.filter(kind="appeal").count() == 1


def test_the_author_of_a_hidden_post_sees_why_and_can_appeal_it_from_the_post_page(client, author, queued_post,
                                                                                     item_of, moderator):
    from moderation.services.review import review_item_hide

    post = queued_post(title="Hidden post")
    review_item_hide(item_id=item_of(post).pk, actor=Actor.for_user(moderator), message="Hidden while we check.")
    client.force_login(author)
    url = reverse("forum:post_appeal", args=[post.public_id])
    page = client.get(reverse("forum:post_detail", args=[post.public_id])).content.decode()
    assert url in page and "You can appeal this decision once" in page
    assert client.post(url, {"message": "The sources are linked at the end."}).status_code == 302
    assert ReviewItem.objects.get(submission=post.submission, kind="appeal").status == "open"


def test_an_appeal_without_a_reason_is_refused(client, author, rejected):
    client.force_login(author)
    response = client.post(reverse("forum:post_appeal", args=[rejected.public_id]), {"message": "not fair"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Explain in a sentence" in page
    assert ">not fair</textarea>" in page  # what the author typed is still there
    # and the box points at its error, so a screen reader reads it with the field
    assert 'aria-invalid="true" aria-describedby="appeal-error"' in page and 'id="appeal-error"' in page
    assert not ReviewItem.objects.filter(kind="appeal").exists()


def test_an_appeal_with_a_nul_character_is_refused_beside_the_field_not_a_500(client, author, rejected):
    """Found by review: PostgreSQL refuses NUL in text, and the appeal was written without a form's check."""
    client.force_login(author)
    response = client.post(reverse("forum:post_appeal", args=[rejected.public_id]),
                           {"message": "I wrote this \x00 myself, honestly."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "NUL character" in page and 'id="appeal-error"' in page and "myself, honestly." in page
    assert not ReviewItem.objects.filter(kind="appeal").exists()


def test_only_the_author_may_appeal(client, make_user, rejected):
    client.force_login(make_user("someone"))
    assert client.post(reverse("forum:post_appeal", args=[rejected.public_id]),
                       {"message": "I think this should stand."}).status_code == 404


def test_the_appeal_reaches_the_queue_with_the_message(client, moderator, rejected):
    client.force_login(moderator)
    from moderation.services.review import review_item_appeal

    review_item_appeal(submission_id=rejected.submission_id, actor=Actor.for_user(rejected.author),
                       message="Please reconsider, I wrote it.")
    response = client.get("/moderation/", {"kind": "appeal"})
    [item] = response.context["page"].items
    detail = client.get(reverse("moderation:item_detail", args=[item.public_id])).content.decode()
    assert "Please reconsider, I wrote it." in detail


def test_the_edit_page_shows_what_the_moderator_asked_for(client, author, queued_post, item_of, moderator):
    post = queued_post()
    review_item_request_changes(item_id=item_of(post).pk, actor=Actor.for_user(moderator),
                                message="Please declare the AI paragraph.")
    client.force_login(author)
    page = client.get(reverse("forum:post_edit", args=[post.public_id])).content.decode()
    assert "data-moderator-message" in page and "Please declare the AI paragraph." in page
    refused = client.post(reverse("forum:post_edit", args=[post.public_id]), {"title": ""})
    assert refused.status_code == 400 and "Please declare the AI paragraph." in refused.content.decode()


def test_the_edit_page_of_a_post_nobody_decided_shows_no_moderator_message(client, author, make_post):
    post = make_post(title="Fresh")
    client.force_login(author)
    assert "data-moderator-message" not in client.get(reverse("forum:post_edit", args=[post.public_id])).content.decode()


def test_an_author_whose_post_was_approved_with_a_label_hears_which_label(queued_post, item_of, moderator):
    from moderation.models import Notification
    from moderation.services.review import review_item_approve

    post = queued_post()
    review_item_approve(item_id=item_of(post).pk, actor=Actor.for_user(moderator), label="ai_generated")
    note = Notification.objects.get(submission=post.submission, verb="review.approve")
    assert note.message.startswith("A moderator approved your post. It now carries the label “Mostly AI-written”")


def test_a_post_with_an_ai_written_section_cannot_be_labelled_human_written(queued_post, item_of, moderator):
    """The contradiction an author gets a field error for is refused to a moderator too: readers would see a
    "Human-written" badge above a labelled AI section."""
    from moderation.services.review import ReviewActionInvalid, review_item_approve

    from .conftest import AI_TEXT, HUMAN_TEXT

    body = f'{HUMAN_TEXT}\n\n:::ai-written model="Claude"\nA summary the model drafted.\n:::\n\n{AI_TEXT}'
    post = queued_post(body=body, disclosure={
        "human_only": False, "assistance": [{"kind": "drafting", "extent": "minor"}], "ai_share_percent": 10,
        "process": "The model drafted the summary from my notes.", "verification": "I checked it against them."})
    item = item_of(post)
    with pytest.raises(ReviewActionInvalid) as refused:
        review_item_approve(item_id=item.pk, actor=Actor.for_user(moderator), label="human_only")
    assert refused.value.field == "label" and "AI-written section" in refused.value.message
    post.submission.refresh_from_db()
    assert (post.submission.label_value, item_of(post).status) == ("", "open")
    review_item_approve(item_id=item.pk, actor=Actor.for_user(moderator), label="ai_assisted")


def test_a_fixed_post_goes_back_to_the_queue(queued_post, item_of, moderator, evaluate):
    post = queued_post()
    review_item_request_changes(item_id=item_of(post).pk, actor=Actor.for_user(moderator),
                                message="Please declare the AI paragraph.")
    post.submission.refresh_from_db()
    assert post.submission.status == "needs_changes" and not post.submission.visible
    post = Post.objects.get(pk=post.pk)
    post_update(post=post, category=post.category, title=post.revision.title, body=HUMAN_TEXT,
                disclosure_data={"human_only": True})
    post.submission.refresh_from_db()
    assert post.submission.status == "pending"
    evaluate(post)
    item = item_of(post)
    assert (item.status, item.reasons) == ("open", ["resubmitted_after_changes"])
    assert post.submission.status == "queued" and post.submission.visible


def test_editing_a_rejected_post_does_not_publish_it(rejected, item_of, evaluate):
    post = Post.objects.get(pk=rejected.pk)
    post_update(post=post, category=post.category, title=post.revision.title, body=HUMAN_TEXT,
                disclosure_data={"human_only": True})
    evaluate(post)
    assert item_of(post).reasons == ["edited_after_rejection"]
    assert (post.submission.status, post.submission.visible) == ("queued", False)


def test_an_operator_enabled_auto_rejection_reaches_the_author_and_can_be_appealed(
        settings, classifiers, make_post, evaluate, author, templates, client):
    settings.MODERATION = {**settings.MODERATION, "POLICY": {"extend_default": True, "rules": [
        {"name": "auto_reject_high_score", "when": {"classifier": "keyword", "score_at_least": 0.4},
         "outcome": "auto_reject", "reason": "auto_rejected_ai_score", "template": "low-effort-ai"}]}}
    from .conftest import AI_TEXT

    post = make_post(title="Mostly delve", body=AI_TEXT)
    evaluate(post)
    assert (post.submission.status, post.submission.visible) == ("rejected", False)
    assert not ReviewItem.objects.exists()  # nobody was asked: the operator chose this
    assert templates["low-effort-ai"].message in post.submission.notifications.get().message
    client.force_login(author)
    client.post(reverse("forum:post_appeal", args=[post.public_id]), {"message": "A person wrote this, me."})
    appeal = ReviewItem.objects.get(kind="appeal")
    assert appeal.reasons == ["appeal", "undisclosed_ai_suspected", "auto_rejected_ai_score"]
    assert appeal.status == "open" and appeal.evaluation.outcome == "auto_reject"


def _statement_text(page: str) -> str:
    from tests.forum.conftest import parse_html

    return " ".join(parse_html(page).find("section", class_="statement-of-reasons").text().split())


def test_the_statement_of_reasons_on_the_post_reads_in_words_not_codes(client, author, rejected):
    client.force_login(author)
    page = client.get(reverse("forum:post_detail", args=[rejected.public_id])).content.decode()

    statement = _statement_text(page)
    assert "Rejected: the post is removed from the forum" in statement
    assert "Why the post was checked: Undisclosed AI suspected" in statement
    assert "AI-assistance disclosure policy — Undisclosed AI text" in statement  # the template's title
    for code in ("reject —", "removal", "undisclosed_ai_suspected", "undisclosed-ai", "restriction:"):
        assert code not in statement, code
    # The codes stay available to scripts, beside the words.
    assert 'data-decision="reject"' in page and 'data-restriction="removal"' in page
    assert 'data-rule="undisclosed-ai"' in page


def test_the_statement_says_the_appeal_is_below_and_the_appeal_form_is_below_it(client, author, rejected):
    client.force_login(author)
    page = client.get(reverse("forum:post_detail", args=[rejected.public_id])).content.decode()

    assert "You can appeal this decision once, below." in _statement_text(page)
    assert page.index('class="statement-of-reasons"') < page.index('class="appeal-form"')


def test_a_change_request_statement_tells_the_author_the_post_is_hidden_until_fixed(
        client, author, queued_post, item_of, moderator, templates):
    post = queued_post()
    review_item_request_changes(item_id=item_of(post).pk, actor=Actor.for_user(moderator),
                                template_code="low-effort-ai", message="Please declare the AI paragraph.")
    client.force_login(author)
    statement = _statement_text(client.get(reverse("forum:post_detail", args=[post.public_id])).content.decode())
    assert "Changes requested: the post is hidden from readers until the disclosure is corrected" in statement
    assert "Low-effort AI content" in statement and "visibility_restricted" not in statement


def _page(client, post) -> str:
    return client.get(reverse("forum:post_detail", args=[post.public_id])).content.decode()


def test_after_an_edit_the_page_shows_only_what_applies_to_the_new_revision(
        client, author, queued_post, item_of, moderator, templates, evaluate):
    """The moderator asked for a fix on revision 1; once the author posts revision 2, the page says it is being
    checked, without the old message or the old statement of reasons beside it (they were about revision 1).
    The notifications keep the message: that is the author's history."""
    post = queued_post()
    review_item_request_changes(item_id=item_of(post).pk, actor=Actor.for_user(moderator),
                                template_code="low-effort-ai", message="Please declare the AI paragraph.")
    client.force_login(author)
    before = _page(client, post)
    assert "Please declare the AI paragraph." in before and 'class="statement-of-reasons"' in before

    post = Post.objects.get(pk=post.pk)
    post_update(post=post, category=post.category, title=post.revision.title, body=HUMAN_TEXT,
                disclosure_data={"human_only": True})
    after = _page(client, post)
    assert "Your post is being checked" in after and "revision 2" in after
    assert "Please declare the AI paragraph." not in after and "Moderator's message" not in after
    assert 'class="statement-of-reasons"' not in after
    assert "Please declare the AI paragraph." in client.get(reverse("forum:notifications")).content.decode()

    evaluate(post)  # back in the queue with the new revision: still nothing decided about it
    queued = _page(client, post)
    assert "A moderator will look at this post" in queued and "Please declare the AI paragraph." not in queued


def test_a_decision_on_the_new_revision_shows_its_own_message(client, author, queued_post, item_of, moderator,
                                                              templates, evaluate):
    post = queued_post()
    review_item_request_changes(item_id=item_of(post).pk, actor=Actor.for_user(moderator),
                                message="Please declare the AI paragraph.")
    post = Post.objects.get(pk=post.pk)
    post_update(post=post, category=post.category, title=post.revision.title, body=HUMAN_TEXT + " More.",
                disclosure_data={"human_only": True})
    evaluate(post)
    review_item_reject(item_id=item_of(post).pk, actor=Actor.for_user(moderator), template_code="undisclosed-ai",
                       message="Still reads as AI-written.")
    client.force_login(author)
    page = _page(client, post)
    assert "Still reads as AI-written." in page and "Please declare the AI paragraph." not in page
    assert 'class="statement-of-reasons"' in page and "Rejected: the post is removed from the forum" in " ".join(
        page.split())
