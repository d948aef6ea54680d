"""``read_quotes``: a forum that wants quoted text read as the author's gets AI text posted as a Markdown quote
to a moderator; by default such a post is published unread, as any quote is."""
from __future__ import annotations

import pytest

from tests.detector.fixtures import AI_TEXTS

pytestmark = pytest.mark.django_db

#: in Markdown the answer continues the one-line quote (no blank line): the whole post is a quote
QUOTED_AI = f"> Is there a simple answer here?\n{AI_TEXTS[0]}"


def stack(**options):
    return [{"path": "moderation.classifiers.stylometric.StylometricClassifier", "options": options},
            "moderation.classifiers.consistency.DisclosureConsistencyClassifier"]


@pytest.mark.parametrize("read_quotes, queued", [(False, False), (True, True)])
def test_ai_text_posted_as_a_quote_reaches_a_moderator_only_where_quotes_are_read(
        settings, make_post, read_quotes, queued):
    from moderation.models import ClassifierResult
    from moderation.services.evaluation import revision_evaluate

    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": stack(read_quotes=read_quotes)}
    post = make_post(title="A reply", body=QUOTED_AI, disclosure={"human_only": True})
    revision_evaluate(revision_id=post.submission.current_revision_id)

    result = ClassifierResult.objects.get(revision=post.submission.current_revision, classifier="stylometric")
    assert result.status == ("ok" if read_quotes else "insufficient_evidence")
    items = post.submission.review_items.all()
    assert bool(items) is queued
    if queued:
        assert "undisclosed_ai_suspected" in items.get().reasons
