"""Fixtures for the queue's tests: posts that reach the queue through the real pipeline (the evaluation
service called directly, no worker) with the test classifiers in ``classifiers.py``."""
from __future__ import annotations

import pytest

KEYWORD = "tests.moderation.classifiers.KeywordClassifier"
BROKEN = "tests.moderation.classifiers.BrokenClassifier"

AI_TEXT = ("Let us delve into the many facets of this topic, since it is important to understand that "
           "productivity is a journey rather than a destination for everyone involved.")
HUMAN_TEXT = "I wrote this myself on the train, and I am still not sure the argument holds up."


@pytest.fixture
def classifiers(settings):
    """Configure the keyword classifier (the registry cache resets on setting_changed)."""
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": [KEYWORD]}
    return settings


@pytest.fixture
def evaluate():
    from moderation.services.evaluation import revision_evaluate

    def run(post):
        post.submission.refresh_from_db()
        evaluation = revision_evaluate(revision_id=post.submission.current_revision_id)
        post.submission.refresh_from_db()
        return evaluation

    return run


@pytest.fixture
def queued_post(classifiers, make_post, evaluate):
    """A human-only post whose text reads as AI: queued as ``undisclosed_ai_suspected``."""

    def make(*, title="Suspicious post", body=None, user=None, cat=None, disclosure=None):
        post = make_post(title=title, body=body or f"{HUMAN_TEXT}\n\n{AI_TEXT}", user=user, cat=cat,
                         disclosure=disclosure)
        evaluate(post)
        return post

    return make


@pytest.fixture
def item_of():
    def get(post):
        return post.submission.review_items.order_by("-id").first()

    return get


@pytest.fixture
def templates(db):
    from moderation.models import RejectionTemplate

    return {
        "undisclosed-ai": RejectionTemplate.objects.create(
            code="undisclosed-ai", title="Undisclosed AI text",
            message="Parts of this post read as AI-written but are not declared."),
        "low-effort-ai": RejectionTemplate.objects.create(
            code="low-effort-ai", title="Low-effort AI content", message="Mostly AI-written without your own thinking."),
    }


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def rejected(queued_post, item_of, moderator, templates):
    """A post a moderator rejected with a template and a note."""
    from moderation.services.review import Actor, review_item_reject

    post = queued_post(title="Rejected post")
    review_item_reject(item_id=item_of(post).pk, actor=Actor.for_user(moderator), template_code="undisclosed-ai",
                       message="The last paragraph reads as AI-written.")
    return post
