"""``policy_dryrun`` replays a policy over the posts' stored results and writes nothing."""
from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from moderation.models import Evaluation, ReviewItem

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("policy_dryrun", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_policy_in_force_changes_nothing(queued_post, make_post, evaluate):
    queued_post()
    evaluate(make_post(title="Clean", body="My own words, written slowly by hand."))
    assert "replayed 2 posts; 0 decisions would change" in run()


def test_a_stricter_policy_reports_what_would_change(queued_post, make_post, evaluate, tmp_path):
    queued_post()
    evaluate(make_post(title="Clean", body="My own words, written slowly by hand."))
    policy = tmp_path / "strict.json"
    policy.write_text(json.dumps({"version": "strict", "extend_default": True, "rules": [
        {"name": "hold_everything", "when": {"always": True}, "outcome": "hold", "reason": "manual_review"}]}))
    evaluations, items = Evaluation.objects.count(), ReviewItem.objects.count()
    output = run("--policy", str(policy))
    assert "replayed 2 posts; 2 decisions would change" in output
    assert "outcome publish → hold: 1" in output and "outcome publish_and_queue → hold: 1" in output
    assert "reason +manual_review: 2" in output
    assert (Evaluation.objects.count(), ReviewItem.objects.count()) == (evaluations, items)


def test_an_invalid_policy_file_is_refused_with_the_field(tmp_path):
    policy = tmp_path / "bad.json"
    policy.write_text(json.dumps({"rules": [{"name": "x", "when": {"passage_score_at_least": 7},
                                             "outcome": "hold", "reason": "x_y"}]}))
    with pytest.raises(CommandError, match="rules.0.when.passage_score_at_least"):
        run("--policy", str(policy))


def test_a_decision_taken_after_the_evaluation_is_not_replayed_as_a_previous_decision(queued_post, moderator):
    """Replaying the revision a moderator then rejected must not pretend it was an edit after a rejection
    (``edited_after_rejection``): that decision came after it, not before."""
    from moderation.services.review import Actor, review_item_reject

    post = queued_post()
    item = ReviewItem.objects.get(submission=post.submission)
    review_item_reject(item_id=item.pk, actor=Actor.for_user(moderator), message="Undisclosed AI text.")
    assert "replayed 1 posts; 0 decisions would change" in run()


def test_a_change_of_reasons_alone_is_not_reported_as_a_change_of_outcome(settings, make_post, evaluate, tmp_path):
    """It printed "outcome hold → hold: 1" for a post whose reasons alone would change."""
    hold = {"name": "hold_everything", "when": {"always": True}, "outcome": "hold", "reason": "manual_review",
            "priority": 5}
    settings.MODERATION = {**settings.MODERATION, "POLICY": {"version": "all", "rules": [hold]}}
    evaluate(make_post(title="Clean", body="My own words, written slowly by hand."))
    policy = tmp_path / "more.json"
    policy.write_text(json.dumps({"version": "more", "rules": [
        hold, {**hold, "name": "second_look", "reason": "second_look"}]}))

    output = run("--policy", str(policy))

    assert "replayed 1 posts; 1 decisions would change" in output
    assert "outcome hold → hold" not in output
    assert "reasons only (the same outcome): 1" in output and "reason +second_look: 1" in output
