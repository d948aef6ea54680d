"""Detector version 9 end to end: a post that is AI-like throughout, with no window at the threshold, reaches a
moderator through the built-in stylometric classifier, and the item page says why."""
from __future__ import annotations

import json

import pytest
from django.urls import reverse

from moderation.detector.train.data import OWN_CORPUS

pytestmark = pytest.mark.django_db

#: one of our corpus's held-out paragraphs (232 words, two windows, neither at the window threshold)
CORPUS_ID = "w1-batch09-023"


@pytest.fixture
def ai_throughout():
    return next(r["text"] for r in map(json.loads, OWN_CORPUS.read_text(encoding="utf-8").splitlines())
                if r["id"] == CORPUS_ID)


def test_a_post_ai_like_throughout_is_queued_and_the_item_page_says_it_was_flagged_as_a_whole(
        settings, make_post, ai_throughout, client, moderator):
    from moderation.models import ClassifierResult
    from moderation.selectors.passage_report import revision_passage_report
    from moderation.services.evaluation import revision_evaluate

    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": [  # the built-in stack without its LM stage
        "moderation.classifiers.stylometric.StylometricClassifier",
        "moderation.classifiers.consistency.DisclosureConsistencyClassifier"]}
    post = make_post(title="Acausal trade", body=ai_throughout, disclosure={"human_only": True})
    revision_evaluate(revision_id=post.submission.current_revision_id)

    result = ClassifierResult.objects.get(revision=post.submission.current_revision, classifier="stylometric")
    passages = [p for p in result.passage_scores if p["status"] == "ok"]
    assert len(passages) >= 2 and all(p["probability"] < result.details["threshold"] for p in passages)
    assert result.details["flagged_by"] == "post" and result.score >= result.details["post_threshold"]

    item = post.submission.review_items.get()
    assert "undisclosed_ai_suspected" in item.reasons
    report = revision_passage_report(post.submission.current_revision)
    assert report.flagged_count == 0 and [r["classifier"] for r in report.post_flags] == ["stylometric"]
    client.force_login(moderator)
    page = client.get(reverse("moderation:item_detail", args=[item.public_id])).content.decode()
    assert "Flagged as a whole" in page and "found the post AI-like throughout" in page
