"""Where the rules come from: the setting, the shipped default and the admin's PolicyRule rows; a bad rule
is refused when it is saved, never discovered at evaluation time."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from disclosure.schema import load_stored
from moderation.models import ClassifierResult, PolicyRule
from moderation.policy.engine import current_policy
from moderation.policy.inputs import PolicyInput

HOLD_ALL_NEW = {"when": {"standing_in": ["new"]}, "outcome": "hold", "reason": "new_author", "priority": 5}


def human_input(standing="new", results=()):
    return PolicyInput(disclosure=load_stored({"human_only": True}), standing=standing, category="general",
                       results=list(results))


@pytest.mark.parametrize("rule, field", [
    ({"when": {}, "outcome": "hold", "reason": "x_y"}, "when"),
    ({"when": {"standing_in": ["veteran"]}, "outcome": "hold", "reason": "x_y"}, "when.standing_in.0"),
    ({"when": {"passage_score_at_least": 1.5}, "outcome": "hold", "reason": "x_y"}, "when.passage_score_at_least"),
    ({"when": {"always": True}, "outcome": "delete", "reason": "x_y"}, "outcome"),
    ({"when": {"always": True}, "outcome": "hold", "reason": "Not A Slug"}, "reason"),
    ({"when": {"always": True}, "outcome": "auto_reject", "reason": "too_ai"}, ""),
    ({"when": {"always": True, "colour": "red"}, "outcome": "hold", "reason": "x_y"}, "when.colour"),
    ("hold everything", {"rule"}),
])
def test_a_bad_rule_is_refused_when_saved(db, rule, field):
    with pytest.raises(ValidationError) as exc:
        PolicyRule.objects.create(name="bad", rule=rule)
    messages = exc.value.message_dict["rule"]
    assert messages and (not isinstance(field, str) or not field or any(m.startswith(field) for m in messages))
    assert not PolicyRule.objects.exists()


AUTO_REJECT = {"when": {"always": True}, "outcome": "auto_reject", "reason": "too_ai", "template": "low-effort-ai"}


def test_an_auto_reject_rule_naming_a_template_that_does_not_exist_is_refused_when_saved(db):
    """It was saved, and a rejected author was told only "rejected automatically", for a reason no moderator
    could find in the queue's list."""
    with pytest.raises(ValidationError) as exc:
        PolicyRule.objects.create(name="auto", rule=AUTO_REJECT)

    assert exc.value.message_dict["rule"] == [
        "template: no active rejection template “low-effort-ai”; create it first (Rejection templates)."]
    assert not PolicyRule.objects.exists()


def test_a_rule_switched_off_is_saved_even_when_its_template_was_retired(db, templates):
    """Retiring a template must not lock the rule that names it: the operator switches the rule off."""
    rule = PolicyRule.objects.create(name="auto", rule=AUTO_REJECT)
    templates["low-effort-ai"].is_active = False
    templates["low-effort-ai"].save()

    rule.is_active = False
    rule.save()
    PolicyRule.objects.create(name="auto_off", rule={**AUTO_REJECT, "enabled": False})

    assert PolicyRule.objects.filter(is_active=False).count() == 1


def test_an_auto_reject_rule_naming_an_active_template_is_saved(db, templates):
    PolicyRule.objects.create(name="auto", rule=AUTO_REJECT)

    assert PolicyRule.objects.filter(name="auto").exists()


def test_the_admin_form_shows_the_rule_errors(admin_client):
    response = admin_client.post("/admin/moderation/policyrule/add/", {
        "name": "broken", "order": 1, "is_active": "on",
        "rule": '{"when": {"passage_score_at_least": 3}, "outcome": "hold", "reason": "too_ai"}'})
    assert response.status_code == 200
    assert "passage_score_at_least" in response.content.decode()
    assert not PolicyRule.objects.exists()


def test_an_admin_rule_is_added_to_the_policy(db):
    PolicyRule.objects.create(name="hold_new_authors", rule=HOLD_ALL_NEW)
    decision = current_policy().decide(human_input("new"))
    assert decision.outcome == "hold" and decision.reasons == ["new_author"]
    assert current_policy().decide(human_input("regular")).outcome == "publish"


def test_an_admin_rule_replaces_the_default_rule_of_the_same_name(db):
    strong = ClassifierResult(classifier="k", version="1", status="ok", passage_scores=[
        {"start": 0, "end": 5, "kind": "author", "probability": 0.9, "status": "ok"}])
    assert current_policy().decide(human_input("regular", [strong])).outcome == "publish_and_queue"
    PolicyRule.objects.create(name="undisclosed_ai_regular", rule={
        "when": {"standing_in": ["regular"], "passage_score_at_least": 0.8}, "outcome": "hold",
        "reason": "undisclosed_ai_suspected", "priority": 55})
    decision = current_policy().decide(human_input("regular", [strong]))
    assert (decision.outcome, decision.priority) == ("hold", 55)


def test_an_inactive_admin_rule_switches_off_the_default_rule(db):
    broken = ClassifierResult(classifier="b", version="1", status="error")
    assert current_policy().decide(human_input("regular", [broken])).reasons == ["classifier_failed"]
    PolicyRule.objects.create(name="classifier_failed", is_active=False, rule=HOLD_ALL_NEW)
    assert current_policy().decide(human_input("regular", [broken])).outcome == "publish"


def test_the_policy_version_changes_with_the_rules(db):
    before = current_policy().version
    PolicyRule.objects.create(name="hold_new_authors", rule=HOLD_ALL_NEW)
    assert current_policy().version != before


def test_the_setting_replaces_the_default(db, settings):
    settings.MODERATION = {**settings.MODERATION, "POLICY": {"version": "strict", "rules": [
        {"name": "hold_everyone", **HOLD_ALL_NEW, "when": {"always": True}}]}}
    policy = current_policy()
    assert policy.version.startswith("strict+") and [r.name for r in policy.rules] == ["hold_everyone"]
    assert policy.decide(human_input("trusted")).outcome == "hold"


def test_the_setting_can_extend_the_default_and_enable_auto_reject(db, settings, templates):
    settings.MODERATION = {**settings.MODERATION, "POLICY": {"extend_default": True, "rules": [
        {"name": "auto_reject_high_score", "when": {"classifier": "pangram", "score_at_least": 0.4},
         "outcome": "auto_reject", "reason": "auto_rejected_ai_score", "template": "low-effort-ai"}]}}
    pangram = ClassifierResult(classifier="pangram", version="1", status="ok", score=0.41)
    decision = current_policy().decide(human_input("regular", [pangram]))
    assert decision.outcome == "auto_reject"
    assert decision.details["message"] == templates["low-effort-ai"].message
    below = ClassifierResult(classifier="pangram", version="1", status="ok", score=0.39)
    assert current_policy().decide(human_input("regular", [below])).outcome == "publish"


def test_a_bad_policy_setting_is_a_system_check_error(settings):
    from moderation.checks import check_moderation_settings

    settings.MODERATION = {**settings.MODERATION, "POLICY": {"rules": [{"name": "x", "when": {},
                                                                        "outcome": "hold", "reason": "x_y"}]}}
    errors = check_moderation_settings(None)
    assert [e.id for e in errors] == ["moderation.E003"]


def test_a_policy_setting_rejecting_with_a_missing_template_is_a_start_up_warning(db, settings):
    """Admin rules are refused on save; a settings rule can only be reported, at start-up (the database may be
    edited later)."""
    from moderation.checks import check_moderation_settings
    from moderation.models import RejectionTemplate

    settings.MODERATION = {**settings.MODERATION, "POLICY": {"extend_default": True, "rules": [
        {"name": "auto_reject_high_score", "when": {"classifier": "pangram", "score_at_least": 0.4},
         "outcome": "auto_reject", "reason": "auto_rejected_ai_score", "template": "low-effort-ai"}]}}
    warnings = check_moderation_settings(None)
    assert [w.id for w in warnings] == ["moderation.W006"]
    assert "'auto_reject_high_score'" in warnings[0].msg and "'low-effort-ai'" in warnings[0].msg

    template = RejectionTemplate.objects.create(code="low-effort-ai", title="Low effort", message="Mostly AI.")
    assert check_moderation_settings(None) == []
    RejectionTemplate.objects.filter(pk=template.pk).update(is_active=False)
    assert [w.id for w in check_moderation_settings(None)] == ["moderation.W006"]


def test_an_invalid_row_written_around_the_model_is_skipped_not_fatal(db):
    PolicyRule.objects.create(name="hold_new_authors", rule=HOLD_ALL_NEW)
    PolicyRule.objects.filter(name="hold_new_authors").update(rule={"when": {}, "outcome": "nope"})
    assert current_policy().decide(human_input("new")).outcome == "publish"


def test_build_reads_standing_category_blocks_and_public_interest(db, make_post, make_user):
    from forum.models import Category

    news = Category.objects.create(slug="news", name="News", public_interest=True)
    post = make_post(cat=news, user=make_user("newbie", standing="new"),
                     body='Mine.\n\n:::ai-written model="X"\nThe model wrote this.\n:::\n',
                     disclosure={"human_only": False, "assistance": [{"kind": "drafting", "extent": "minor"}],
                                 "ai_share_percent": 20,
                                 "process": "The model wrote the marked block from my outline, unedited."})
    submission = post.submission
    data = PolicyInput.build(submission=submission, revision=submission.current_revision, results=[])
    assert (data.standing, data.category, data.has_ai_blocks, data.public_interest) == ("new", "news", True, True)
    assert data.previous_decision == ""
