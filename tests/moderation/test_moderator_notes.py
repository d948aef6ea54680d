"""Notes for moderators: a moderator leaves a note on an item ("asked the author; waiting") that the next one
reads on the item page, also on a later item of the same post; the author never sees it; it changes no state."""
from __future__ import annotations

import pytest
from django.urls import reverse

from moderation.models import Action
from moderation.services.review import Actor, ReviewActionInvalid, review_item_approve, review_item_note

pytestmark = pytest.mark.django_db


def test_a_note_is_shown_to_moderators_on_the_item_page_and_changes_nothing(client, moderator, queued_post,
                                                                          item_of):
    item = item_of(queued_post())
    client.force_login(moderator)
    detail = reverse("moderation:item_detail", args=[item.public_id])

    response = client.post(reverse("moderation:item_note", args=[item.public_id]),
                           {"text": "Asked the author by message whether the list is a quote."})

    assert response.status_code == 302 and response["Location"].endswith("#notes")
    page = client.get(detail).content.decode()
    assert "Asked the author by message whether the list is a quote." in page and "Notes for moderators" in page
    item.refresh_from_db()
    assert item.status == "open" and item.version == 1
    [note] = Action.objects.filter(verb="note")
    assert note.item == item and note.actor_label == moderator.get_username()


def test_the_next_item_of_the_same_post_shows_the_earlier_notes(queued_post, item_of, moderator, client):
    from moderation.services.review import review_item_appeal, review_item_reject

    post = queued_post()
    first = item_of(post)
    review_item_note(item_id=first.pk, actor=Actor.for_user(moderator), text="The second list is from the FAQ.")
    review_item_reject(item_id=first.pk, actor=Actor.for_user(moderator), reason="undisclosed")
    appeal = review_item_appeal(submission_id=first.submission_id, actor=Actor.system(),
                                message="I wrote every word of it myself.")
    client.force_login(moderator)
    page = client.get(reverse("moderation:item_detail", args=[appeal.public_id])).content.decode()
    assert "The second list is from the FAQ." in page


def test_the_author_never_sees_a_note(client, author, queued_post, item_of, moderator):
    post = queued_post()
    item = item_of(post)
    review_item_note(item_id=item.pk, actor=Actor.for_user(moderator), text="Secret moderators' remark.")
    review_item_approve(item_id=item.pk, actor=Actor.for_user(moderator))
    client.force_login(author)
    assert "Secret moderators" not in client.get(reverse("forum:post_detail", args=[post.public_id])).content.decode()


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001, "nul\x00byte"])
def test_an_empty_or_oversized_note_is_refused_and_nothing_is_written(queued_post, item_of, moderator, client, text):
    item = item_of(queued_post())
    with pytest.raises(ReviewActionInvalid):
        review_item_note(item_id=item.pk, actor=Actor.for_user(moderator), text=text)
    client.force_login(moderator)
    response = client.post(reverse("moderation:item_note", args=[item.public_id]), {"text": text}, follow=True)
    assert response.status_code == 200 and not Action.objects.filter(verb="note").exists()
    assert 'id="note-error"' in response.content.decode()


def test_a_refused_note_is_put_back_in_the_box_beside_its_error(queued_post, item_of, moderator, client):
    """Found by review: a note over the limit was refused and everything the moderator had typed was lost."""
    item = item_of(queued_post())
    client.force_login(moderator)
    long_note = "A long, carefully written note. " * 70
    page = client.post(reverse("moderation:item_note", args=[item.public_id]), {"text": long_note},
                       follow=True).content.decode()
    assert "A long, carefully written note. A long" in page and 'aria-invalid="true"' in page
    assert "at most 2000 characters" in page


def test_only_moderators_may_note(client, author, queued_post, item_of):
    item = item_of(queued_post())
    client.force_login(author)
    assert client.post(reverse("moderation:item_note", args=[item.public_id]), {"text": "hi"}).status_code == 403
    assert not Action.objects.filter(verb="note").exists()
