"""Showing the scores: the body passage by passage, on the post page for its author and moderators."""
from __future__ import annotations

import pytest
from django.urls import reverse

from moderation.selectors.passage_report import revision_passage_report
from moderation.services.evaluation import revision_evaluate
from tests.pipeline.classifiers import AI_MARK, STACK

pytestmark = pytest.mark.django_db

HUMAN = ("My grandmother kept bees behind the shed and never once wore gloves, which she said the bees "
         "respected, although I suspect they simply liked her better than the rest of us.")
AI = (f"{AI_MARK} Beekeeping offers numerous benefits, including pollination support, honey production, and "
      "a deeper connection with nature, making it a rewarding hobby for individuals of all ages and backgrounds.")
DECLARED = "The model summarised the local regulations for hobby beekeepers in three short sentences for me."
BODY = (f"{HUMAN}\n\n{AI}\n\n> A quoted proverb about bees.\n\n"
        f":::ai-written model=\"Claude Opus 4.5\"\n{DECLARED}\n:::\n")
DISCLOSURE = {"human_only": False, "assistance": [{"kind": "drafting", "extent": "minor"}], "tools": ["Claude"],
              "ai_share_percent": 10, "process": "The model wrote the marked summary of the regulations for me."}


@pytest.fixture
def scored_post(settings, make_post):
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": STACK}
    post = make_post(title="Bees", body=BODY, disclosure=DISCLOSURE)
    revision = post.submission.current_revision
    revision_evaluate(revision_id=revision.pk, content_hash=revision.content_hash)
    revision.refresh_from_db()
    return post, revision


def segment_at(report, text):
    start = report.revision.body.index(text)
    return next(s for s in report.segments if s.start <= start < s.end)


def test_the_report_marks_declared_blocks_and_flags_undeclared_ai_passages(scored_post):
    _post, revision = scored_post

    report = revision_passage_report(revision)

    assert "".join(s.text for s in report.segments) == revision.body, "segments tile the body exactly"
    ai, human, declared = segment_at(report, AI), segment_at(report, HUMAN), segment_at(report, DECLARED)
    assert ai.text == AI and ai.flagged and ai.probability > report.flag_threshold
    assert ai.scores == [("scripted", 0.95)] and ai.features == [("scripted_mark", 1.0)]
    assert human.text == HUMAN and not human.flagged and human.probability < 0.5
    assert declared.declared and declared.model == "Claude Opus 4.5" and not declared.flagged
    assert segment_at(report, "A quoted proverb").kind == "quote"
    assert {f["code"] for f in report.findings} >= {"undisclosed_ai_passages"}
    assert not report.pending and report.flagged_count == 1


def test_the_post_page_shows_the_scores_to_the_author_and_moderators_only(scored_post, client, moderator,
                                                                          make_user):
    post, _revision = scored_post
    url = reverse("forum:post_detail", args=[post.public_id])

    for viewer in (post.author, moderator):
        client.force_login(viewer)
        page = client.get(url).content.decode()
        assert "Classifier scores, passage by passage" in page
        assert 'class="ps-seg ps-kind-author ps-p9 ps-flagged"' in page
        assert "undisclosed_ai_passages" in page

    client.force_login(make_user("reader"))
    response = client.get(url)
    assert response.status_code == 200, "the post is visible to readers while queued"
    assert "Classifier scores" not in response.content.decode()


def test_before_the_pipeline_finishes_the_author_is_told_the_scores_are_coming(settings, make_post, client):
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": STACK}
    post = make_post(title="Pending", body=HUMAN)
    client.force_login(post.author)

    page = client.get(reverse("forum:post_detail", args=[post.public_id])).content.decode()

    assert "data-passage-scores-pending" in page and "passage_scores.js" in page


def test_a_failed_classifier_is_shown_as_failed_not_as_a_low_score(settings, make_post, client):
    settings.MODERATION = {**settings.MODERATION,
                           "CLASSIFIERS": ["tests.pipeline.classifiers.ExplodingClassifier"]}
    post = make_post(title="Broken", body=HUMAN)
    revision = post.submission.current_revision
    revision_evaluate(revision_id=revision.pk, content_hash=revision.content_hash)
    client.force_login(post.author)

    page = client.get(reverse("forum:post_detail", args=[post.public_id])).content.decode()

    assert "<strong>failed</strong>: ValueError: model file missing" in page
    assert "ps-p0" not in page
