"""A moderator does not judge their own post (found by an outside review: a moderator whose undisclosed AI text was
held could approve it themselves). They may not claim, decide or snooze its review item; a colleague does. A forum
with a single moderator turns ``MODERATION["DECIDE_OWN_POSTS"]`` on."""
from __future__ import annotations

import pytest
from django.urls import reverse

from moderation.models import Action, ReviewItem
from moderation.services.review import (Actor, ReviewActionInvalid, review_item_approve, review_item_claim,
                                        review_item_snooze)

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(make_user):
    return make_user("second_mod", standing="trusted", is_staff=True, moderator=True)


@pytest.fixture
def moderator(make_user):
    """A moderator who also writes, at the standing whose suspicious posts the policy holds."""
    return make_user("writing_mod", standing="regular", moderator=True)  # by permission, not staff (trusted here)


@pytest.fixture
def own_item(queued_post, item_of, moderator):
    item = item_of(queued_post(user=moderator))
    assert item.status == "open"
    return item


@pytest.mark.parametrize("act", [
    lambda item, actor: review_item_claim(item_id=item.pk, actor=actor),
    lambda item, actor: review_item_approve(item_id=item.pk, actor=actor),
    lambda item, actor: review_item_snooze(item_id=item.pk, actor=actor, until_next_revision=True),
], ids=["claim", "approve", "snooze"])
def test_a_moderator_cannot_act_on_the_review_of_their_own_post(own_item, moderator, act):
    with pytest.raises(ReviewActionInvalid, match="your own post"):
        act(own_item, Actor.for_user(moderator))

    stored = ReviewItem.objects.get(pk=own_item.pk)
    assert (stored.status, stored.version) == ("open", own_item.version)
    assert not Action.objects.filter(item=own_item, actor_user=moderator).exists()


def test_a_colleague_decides_it(own_item, colleague):
    decided = review_item_approve(item_id=own_item.pk, actor=Actor.for_user(colleague))
    assert (decided.status, decided.decided_by) == ("decided", colleague)


def test_a_forum_with_one_moderator_lets_them_decide_their_own_posts(own_item, moderator, settings):
    settings.MODERATION = {**settings.MODERATION, "DECIDE_OWN_POSTS": True}
    assert review_item_approve(item_id=own_item.pk, actor=Actor.for_user(moderator)).status == "decided"


def test_the_item_page_says_whose_post_it_is_and_a_refused_decision_says_why(own_item, mod_client):
    page = mod_client.get(reverse("moderation:item_detail", args=[own_item.public_id])).content.decode()
    assert "This is your own post" in page

    response = mod_client.post(reverse("moderation:item_decide", args=[own_item.public_id, "approve"]),
                               {"version": own_item.version}, follow=True)

    assert ReviewItem.objects.get(pk=own_item.pk).status == "open"
    assert any("your own post" in str(m) for m in response.context["messages"])


def test_after_a_decision_the_next_item_is_never_the_moderators_own_post(queued_post, item_of, moderator,
                                                                         mod_client, author):
    from moderation.selectors.queue import queue_next_for

    first = item_of(queued_post(title="First"))
    ReviewItem.objects.filter(pk=first.pk).update(priority=90)
    own = item_of(queued_post(title="Mine", user=moderator))
    ReviewItem.objects.filter(pk=own.pk).update(priority=80)
    third = item_of(queued_post(title="Third"))
    ReviewItem.objects.filter(pk=third.pk).update(priority=70)

    assert queue_next_for(ReviewItem.objects.get(pk=first.pk), moderator).pk == third.pk


def test_the_queue_row_of_ones_own_post_offers_no_action_and_says_why(own_item, queued_post, item_of, mod_client):
    others = item_of(queued_post(title="Someone else's"))

    page = mod_client.get(reverse("moderation:queue")).content.decode()

    own_row = page[page.index(f'data-item="{own_item.public_id}"'):].split("</tr>", 1)[0]
    other_row = page[page.index(f'data-item="{others.public_id}"'):].split("</tr>", 1)[0]
    assert "your post" in own_row and 'data-key="a"' not in own_row and 'data-key="c"' not in own_row
    assert 'data-key="a"' in other_row and "your post" not in other_row
