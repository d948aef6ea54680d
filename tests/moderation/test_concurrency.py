"""Two moderators deciding the same item at the same moment, on PostgreSQL with two connections: exactly
one succeeds and the other gets a clear conflict; the item is decided once and audited once."""
from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from moderation import signals
from moderation.models import Action, ReviewItem
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def slow_transitions():
    """Hold each transition's row lock a moment, so the second request surely arrives while the first one
    is still inside its transaction (the signal is sent inside it)."""

    def hold(sender, item, action, **kwargs):
        if action.actor_kind == "user":
            time.sleep(0.3)

    signals.review_item_changed.connect(hold)
    yield
    signals.review_item_changed.disconnect(hold)


def test_two_concurrent_http_decisions_give_one_success_and_one_409(queued_post, item_of, moderator, make_user,
                                                                     templates, slow_transitions):
    item = item_of(queued_post())
    second = make_user("second_mod", standing="trusted", is_staff=True, moderator=True)
    clients = []
    for user in (moderator, second):
        client = Client()
        client.force_login(user)
        clients.append(client)
    approve = reverse("moderation:item_decide", args=[item.public_id, "approve"])
    reject = reverse("moderation:item_decide", args=[item.public_id, "reject"])
    responses = run_together(
        lambda: clients[0].post(approve, {"version": item.version}, HTTP_ACCEPT="application/json"),
        lambda: clients[1].post(reject, {"version": item.version, "template": "undisclosed-ai"},
                                HTTP_ACCEPT="application/json"),
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409], responses
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["conflict"] is True and "Reload" in loser["error"]
    decided = ReviewItem.objects.get(pk=item.pk)
    assert decided.status == "decided" and decided.version == item.version + 1
    assert Action.objects.filter(item=item, verb__in=["approve", "reject"]).count() == 1


def test_two_concurrent_claims_give_one_claim(queued_post, item_of, moderator, make_user, slow_transitions):
    from moderation.services.review import Actor, ReviewConflict, review_item_claim

    item = item_of(queued_post())
    second = make_user("second_mod", standing="trusted", is_staff=True, moderator=True)
    outcomes = run_together(
        lambda: review_item_claim(item_id=item.pk, actor=Actor.for_user(moderator), expected_version=item.version),
        lambda: review_item_claim(item_id=item.pk, actor=Actor.for_user(second), expected_version=item.version),
    )
    conflicts = [o for o in outcomes if isinstance(o, ReviewConflict)]
    winners = [o for o in outcomes if isinstance(o, ReviewItem)]
    assert len(conflicts) == 1 and len(winners) == 1, outcomes
    assert ReviewItem.objects.get(pk=item.pk).claimed_by_id == winners[0].claimed_by_id
    assert Action.objects.filter(item=item, verb="claim").count() == 1
