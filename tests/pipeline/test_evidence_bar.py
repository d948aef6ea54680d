"""Classifiers learn the highest score anything downstream will compare a passage with (the evidence bar),
so the detector's language model never stops before a forum's own threshold or a rule's bar is settled."""
from __future__ import annotations

import pytest
from django.utils import timezone

from moderation.classifiers import detector_plugin
from moderation.models import SiteThreshold
from moderation.policy.engine import RulePolicy, current_policy
from moderation.policy.rules import rule_validate
from moderation.services.evaluation import evidence_bar_for, revision_evaluate, text_score
from tests.pipeline.test_evaluation import use

pytestmark = pytest.mark.django_db

STATISTICAL = "moderation.classifiers.statistical.StatisticalClassifier"
BODY = ("Our allotment group meets on the first Saturday of every month, and this spring we finally fixed the "
        "water butts that leaked all last summer. Three of us spent a morning replacing the taps, which turned "
        "out to be easier than the shop assistant had warned, and the rest of the group cleared the compost.")


@pytest.fixture
def stop_at_seen(monkeypatch):
    seen = []
    real = detector_plugin.detect

    def spy(text, **kwargs):
        seen.append(kwargs.get("stop_at"))
        return real(text, **kwargs)

    monkeypatch.setattr(detector_plugin, "detect", spy)
    return seen


def test_the_bar_is_the_highest_site_threshold_or_rule_bar():
    nested = rule_validate({"when": {"any_of": [{"passage_score_at_least": 0.97}, {"always": True}]},
                            "outcome": "hold", "reason": "nested_bar"}, name="nested")
    policy = RulePolicy([nested])
    assert policy.passage_score_bars() == [0.97]
    assert evidence_bar_for(thresholds=[0.96], policy=policy) == 0.97
    assert evidence_bar_for(thresholds=[0.985], policy=policy) == 0.985
    assert evidence_bar_for(thresholds=[], policy=RulePolicy([])) is None


def test_the_shipped_policy_sets_the_bar_at_its_trusted_author_rule():
    assert max(current_policy().passage_score_bars()) == 0.99


BANDS = [{"band": "1", "threshold": 0.93, "own": True}, {"band": "8+", "threshold": 0.998, "own": True}]


@pytest.mark.parametrize("by_length, bar", [([], 0.995), (BANDS, 0.998)], ids=["one threshold", "by length"])
def test_text_score_passes_the_highest_site_threshold_as_the_bar(stop_at_seen, by_length, bar):
    """A long post's band may have the highest threshold: the language model must not stop below it."""
    from moderation.classifiers.statistical import StatisticalClassifier
    from moderation.services.calibration import SiteRule

    classifier = StatisticalClassifier()
    rule = SiteRule(0.995, tuple((b["band"], b["threshold"]) for b in by_length))
    text_score(text=BODY, classifiers=[classifier], thresholds={("statistical", str(classifier.version)): rule})
    assert stop_at_seen and set(stop_at_seen) == {bar}


@pytest.mark.django_db
@pytest.mark.parametrize("by_length, bar", [([], 0.996), (BANDS, 0.998)], ids=["one threshold", "by length"])
def test_the_pipeline_passes_the_forums_highest_calibrated_threshold_as_the_bar(settings, make_post, stop_at_seen,
                                                                               by_length, bar):
    from moderation.classifiers.statistical import StatisticalClassifier

    use(settings, STATISTICAL)
    SiteThreshold.objects.create(classifier="statistical", version=str(StatisticalClassifier().version),
                                 threshold=0.996, false_flag_rate=0.01, by_length=by_length,
                                 posts_before=timezone.now(), posts_scored=100, posts_flagged=1)
    post = make_post(body=BODY)
    stop_at_seen.clear()
    revision = post.submission.current_revision
    revision_evaluate(revision_id=revision.pk, content_hash=revision.content_hash)
    assert stop_at_seen and set(stop_at_seen) == {bar}
