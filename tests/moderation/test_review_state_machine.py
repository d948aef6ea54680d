"""Every arrow of the review-item state machine, and every arrow that must not exist, through the service
functions. Each legal change bumps ``version`` and writes one audit row with from → to."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from moderation.models import Action, Notification, OutboxEvent, ReviewItem
from moderation.services import review
from moderation.services.review import Actor, ReviewActionInvalid, ReviewConflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(queued_post, item_of):
    post = queued_post()
    found = item_of(post)
    assert found.status == "open"
    return found


@pytest.fixture
def me(moderator):
    return Actor.for_user(moderator)


@pytest.fixture
def other(make_user):
    return Actor.for_user(make_user("second_mod", standing="trusted", is_staff=True, moderator=True))


def last_action(item):
    return Action.objects.filter(item=item).order_by("-id").first()


def reload(item):
    return ReviewItem.objects.select_related("submission").get(pk=item.pk)


def put_in(item, status, actor):
    """Bring a fresh open item to ``status`` through the services."""
    if status == "claimed":
        review.review_item_claim(item_id=item.pk, actor=actor)
    elif status == "snoozed":
        review.review_item_snooze(item_id=item.pk, actor=actor, until_next_revision=True)
    elif status == "decided":
        review.review_item_approve(item_id=item.pk, actor=actor)
    return reload(item)


# --- legal arrows ----------------------------------------------------------------------------------

def test_claim_takes_an_open_item(item, me):
    claimed = review.review_item_claim(item_id=item.pk, actor=me, expected_version=item.version)
    assert (claimed.status, claimed.claimed_by, claimed.version) == ("claimed", me.user, item.version + 1)
    action = last_action(item)
    assert (action.verb, action.from_status, action.to_status, action.actor_user) == ("claim", "open", "claimed",
                                                                                       me.user)


def test_release_returns_a_claimed_item(item, me):
    put_in(item, "claimed", me)
    released = review.review_item_release(item_id=item.pk, actor=me)
    assert (released.status, released.claimed_by) == ("open", None)
    assert (last_action(item).from_status, last_action(item).to_status) == ("claimed", "open")


@pytest.mark.parametrize("start", ["open", "claimed"])
@pytest.mark.parametrize("action, submission_status, visible", [
    ("approve", "approved", True), ("reject", "rejected", False), ("request_changes", "needs_changes", False),
    ("hide", "hidden", False)])
def test_decisions_close_open_and_claimed_items(item, me, templates, start, action, submission_status, visible):
    put_in(item, start, me)
    decided = review.review_item_decide(item_id=item.pk, actor=me, action=action,
                                        template_code="undisclosed-ai" if action != "approve" else None,
                                        message="" if action != "approve" else "Fine.")
    assert (decided.status, decided.decision_action, decided.decided_by) == ("decided", action, me.user)
    assert (decided.submission.status, decided.submission.visible) == (submission_status, visible)
    assert (last_action(item).verb, last_action(item).from_status, last_action(item).to_status) == \
        (action, start, "decided")
    note = Notification.objects.filter(submission=item.submission, verb=f"review.{action}").get()
    if action in ("reject", "request_changes"):
        assert templates["undisclosed-ai"].message in note.message
    assert OutboxEvent.objects.filter(type="review.decided", payload__data__decision__action=action).exists()


@pytest.mark.parametrize("start", ["open", "claimed"])
def test_snooze_until_next_revision_or_a_time(item, me, start):
    put_in(item, start, me)
    until = timezone.now() + timedelta(hours=2)
    snoozed = review.review_item_snooze(item_id=item.pk, actor=me, until=until)
    assert (snoozed.status, snoozed.snoozed_until, snoozed.claimed_by) == ("snoozed", until, None)
    assert (last_action(item).from_status, last_action(item).to_status) == (start, "snoozed")


def test_a_snoozed_item_wakes_when_its_time_passes(item, me):
    review.review_item_snooze(item_id=item.pk, actor=me, until=timezone.now() + timedelta(hours=1))
    assert review.review_items_wake_due() == 0
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert review.review_items_wake_due() == 1
    woken = reload(item)
    assert (woken.status, last_action(item).verb, last_action(item).actor_kind) == ("open", "wake", "system")


def test_a_snoozed_item_wakes_when_the_author_posts_again(item, me, evaluate):
    review.review_item_snooze(item_id=item.pk, actor=me, until_next_revision=True)
    from forum.models import Post
    from forum.services import post_update

    post = Post.objects.get(submission=item.submission)
    revision = post.revision
    post_update(post=post, category=post.category, title=revision.title, body=revision.body + "\n\nAn addendum.",
                disclosure_data=revision.disclosure)
    evaluate(post)
    woken = reload(item)
    assert woken.status == "open" and woken.revision_id == post.submission.current_revision_id
    assert (last_action(item).verb, last_action(item).from_status, last_action(item).to_status) == \
        ("update", "snoozed", "open")


def test_a_re_evaluation_of_the_same_version_leaves_it_snoozed_until_the_author_posts(item, me, evaluate,
                                                                                        monkeypatch):
    """A classifier upgrade (``reevaluate``) re-reads the text the moderator chose to wait on: it stays asleep,
    with the new evaluation's reasons."""
    review.review_item_snooze(item_id=item.pk, actor=me, until_next_revision=True)
    from forum.models import Post
    from tests.moderation.classifiers import KeywordClassifier

    monkeypatch.setattr(KeywordClassifier, "version", "2")
    evaluation = evaluate(Post.objects.get(submission=item.submission))
    assert evaluation.pk != item.evaluation_id and reload(item).evaluation_id == evaluation.pk
    still = reload(item)
    assert (still.status, still.snoozed_until_next_revision, still.revision_id) == ("snoozed", True, item.revision_id)
    assert last_action(item).verb == "update" and last_action(item).to_status == "snoozed"


def post_again(item, evaluate, addendum="An addendum."):
    from forum.models import Post
    from forum.services import post_update

    post = Post.objects.get(submission=item.submission)
    revision = post.revision
    post_update(post=post, category=post.category, title=revision.title, body=revision.body + f"\n\n{addendum}",
                disclosure_data=revision.disclosure)
    evaluate(post)
    return post


def test_an_item_snoozed_for_a_time_wakes_too_when_the_author_posts_again(item, me, evaluate):
    """The docs promise it; only items snoozed "until the author posts again" woke."""
    review.review_item_snooze(item_id=item.pk, actor=me, until=timezone.now() + timedelta(days=1))
    post = post_again(item, evaluate)
    woken = reload(item)
    assert (woken.status, woken.snoozed_until) == ("open", None)
    assert woken.revision_id == post.submission.current_revision_id


def test_an_appeal_edited_by_its_author_stays_an_appeal_above_the_original(item, me, templates, author, evaluate):
    """An edit replaced the appeal's reasons and priority with the evaluation's: ``reason=appeal`` no longer
    found it, and it fell back below where the appeal had put it."""
    review.review_item_reject(item_id=item.pk, actor=me, template_code="undisclosed-ai")
    appeal = review.review_item_appeal(submission_id=item.submission_id, actor=Actor.for_user(author),
                                       message="I wrote every word of this myself, on the train.")
    post_again(appeal, evaluate, "I added my sources.")
    edited = reload(appeal)
    assert edited.status == "open" and edited.reasons[0] == "appeal"
    assert edited.priority >= appeal.priority


def test_an_expired_claim_returns_to_the_queue(item, me, settings):
    put_in(item, "claimed", me)
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert review.review_items_expire_claims() == 1
    assert reload(item).status == "open"
    assert (last_action(item).verb, last_action(item).actor_kind) == ("claim_expired", "system")


def test_another_moderator_may_take_an_expired_claim(item, me, other):
    put_in(item, "claimed", me)
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        claimed = review.review_item_claim(item_id=item.pk, actor=other)
    assert claimed.claimed_by == other.user


def test_the_author_appeals_a_rejection_once(item, me, templates, author):
    review.review_item_reject(item_id=item.pk, actor=me, template_code="undisclosed-ai")
    appeal = review.review_item_appeal(submission_id=item.submission_id, actor=Actor.for_user(author),
                                       message="I wrote every word of this myself, on the train.")
    assert (appeal.kind, appeal.status, appeal.reasons[0]) == ("appeal", "open", "appeal")
    assert appeal.priority > item.priority and reload(appeal).submission.status == "queued"
    assert (last_action(appeal).verb, last_action(appeal).actor_user) == ("appeal", author)
    review.review_item_approve(item_id=appeal.pk, actor=me)
    assert reload(appeal).submission.status == "approved"


def test_the_author_appeals_a_hidden_post_once_as_a_rejection(item, me, author):
    """Hiding a post restricts who sees it, which DSA Art. 20 makes appealable as a removal is."""
    from moderation.models import StatementOfReasons

    review.review_item_hide(item_id=item.pk, actor=me, message="Hidden while we check the sources.")
    statement = StatementOfReasons.objects.filter(submission_id=item.submission_id).latest("id")
    assert statement.data["redress"]["internal_complaint"]["available"] is True
    appeal = review.review_item_appeal(submission_id=item.submission_id, actor=Actor.for_user(author),
                                       message="The sources are linked at the end of the post.")
    assert (appeal.kind, appeal.status) == ("appeal", "open") and reload(appeal).submission.status == "queued"
    review.review_item_approve(item_id=appeal.pk, actor=me)
    assert reload(appeal).submission.status == "approved" and reload(appeal).submission.visible
    with pytest.raises(ReviewConflict, match="once"):
        review.review_item_appeal(submission_id=item.submission_id, actor=Actor.for_user(author),
                                  message="And once more, please look again.")


# --- illegal arrows --------------------------------------------------------------------------------

ILLEGAL = [
    ("release", "open"), ("release", "snoozed"), ("release", "decided"),
    ("claim", "snoozed"), ("claim", "decided"),
    ("approve", "snoozed"), ("approve", "decided"), ("reject", "snoozed"), ("reject", "decided"),
    ("request_changes", "snoozed"), ("request_changes", "decided"), ("hide", "snoozed"), ("hide", "decided"),
    ("snooze", "snoozed"), ("snooze", "decided"),
    ("wake", "open"), ("wake", "claimed"), ("wake", "decided"),
]


def call(verb, item, actor):
    if verb in ("approve", "reject", "request_changes", "hide"):
        return review.review_item_decide(item_id=item.pk, actor=actor, action=verb, message="A reason.")
    if verb == "snooze":
        return review.review_item_snooze(item_id=item.pk, actor=actor, until_next_revision=True)
    return getattr(review, f"review_item_{verb}")(item_id=item.pk, actor=actor)


@pytest.mark.parametrize("verb, status", ILLEGAL, ids=[f"{v}-from-{s}" for v, s in ILLEGAL])
def test_illegal_transitions_are_conflicts_and_change_nothing(item, me, verb, status):
    before = put_in(item, status, me)
    actions = Action.objects.count()
    with pytest.raises(ReviewConflict) as exc:
        call(verb, before, me)
    assert exc.value.message
    after = reload(item)
    assert (after.status, after.version) == (before.status, before.version)
    assert Action.objects.count() == actions


@pytest.mark.parametrize("verb", ["approve", "reject", "snooze", "release", "claim"])
def test_a_stale_version_is_a_conflict(item, me, verb):
    review.review_item_claim(item_id=item.pk, actor=me)  # version moves on
    with pytest.raises(ReviewConflict, match="changed this item"):
        if verb in ("approve", "reject"):
            review.review_item_decide(item_id=item.pk, actor=me, action=verb, message="x",
                                      expected_version=item.version)
        elif verb == "snooze":
            review.review_item_snooze(item_id=item.pk, actor=me, until_next_revision=True,
                                      expected_version=item.version)
        else:
            getattr(review, f"review_item_{verb}")(item_id=item.pk, actor=me, expected_version=item.version)


@pytest.mark.parametrize("verb", ["approve", "release", "snooze", "claim"])
def test_someone_elses_live_claim_blocks_other_moderators(item, me, other, verb):
    put_in(item, "claimed", me)
    with pytest.raises(ReviewConflict, match="moderator|claimed|working"):
        call(verb, reload(item), other)
    assert reload(item).claimed_by == me.user


def test_a_rejection_needs_a_reason(item, me):
    with pytest.raises(ReviewActionInvalid) as exc:
        review.review_item_reject(item_id=item.pk, actor=me)
    assert exc.value.field == "reason" and reload(item).status == "open"


def test_an_unknown_template_is_refused(item, me):
    with pytest.raises(ReviewActionInvalid):
        review.review_item_reject(item_id=item.pk, actor=me, template_code="no-such-template")


def test_snooze_needs_a_future_time_or_the_next_revision(item, me):
    with pytest.raises(ReviewActionInvalid):
        review.review_item_snooze(item_id=item.pk, actor=me)
    with pytest.raises(ReviewActionInvalid):
        review.review_item_snooze(item_id=item.pk, actor=me, until=timezone.now() - timedelta(minutes=1))


@pytest.mark.parametrize("decision", ["approve", "request_changes"])
def test_only_a_rejection_or_a_hide_can_be_appealed(item, me, author, decision):
    review.review_item_decide(item_id=item.pk, actor=me, action=decision, message="Because.")
    with pytest.raises(ReviewConflict, match="rejected or hidden"):
        review.review_item_appeal(submission_id=item.submission_id, actor=Actor.for_user(author),
                                  message="Please look again at my post.")


def test_an_open_item_cannot_be_appealed(item, author):
    with pytest.raises(ReviewConflict):
        review.review_item_appeal(submission_id=item.submission_id, actor=Actor.for_user(author),
                                  message="Please look again at my post.")


def test_a_second_appeal_is_refused(item, me, author):
    review.review_item_reject(item_id=item.pk, actor=me, message="Undeclared AI text.")
    appeal = review.review_item_appeal(submission_id=item.submission_id, actor=Actor.for_user(author),
                                       message="I wrote every word of this myself.")
    review.review_item_reject(item_id=appeal.pk, actor=me, message="Upheld.")
    with pytest.raises(ReviewConflict, match="once"):
        review.review_item_appeal(submission_id=item.submission_id, actor=Actor.for_user(author),
                                  message="And once more, please.")


def test_an_appeal_needs_a_sentence(item, me, author):
    review.review_item_reject(item_id=item.pk, actor=me, message="Undeclared AI text.")
    with pytest.raises(ReviewActionInvalid):
        review.review_item_appeal(submission_id=item.submission_id, actor=Actor.for_user(author), message="pls")


def test_marking_a_classifier_result_is_audited(item, me):
    result = item.revision.classifier_results.get()
    review.classifier_result_mark(result_id=result.pk, actor=me, verdict="false_positive")
    result.refresh_from_db()
    assert result.moderator_verdict == "false_positive"
    action = Action.objects.filter(verb="mark_result").get()
    assert (action.from_status, action.to_status, action.data["classifier"]) == ("", "false_positive", "keyword")
    with pytest.raises(ReviewActionInvalid):
        review.classifier_result_mark(result_id=result.pk, actor=me, verdict="maybe")


def test_a_clean_revision_wakes_the_item_with_a_reason(item, me, evaluate):
    from forum.models import Post
    from forum.services import post_update

    from .conftest import HUMAN_TEXT

    review.review_item_snooze(item_id=item.pk, actor=me, until_next_revision=True)
    post = Post.objects.get(submission=item.submission)
    post_update(post=post, category=post.category, title=post.revision.title, body=HUMAN_TEXT,
                disclosure_data={"human_only": True})
    evaluate(post)
    woken = reload(item)
    assert (woken.status, woken.reasons) == ("open", ["author_revised"])
