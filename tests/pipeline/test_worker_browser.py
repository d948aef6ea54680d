"""The demo, in a real browser with a real worker: a post whose undeclared paragraph reads as AI is scored
passage by passage on its page within seconds of submit, without the author pressing reload."""
from __future__ import annotations

from pathlib import Path

import pytest

from forum.models import Post
from tests.pipeline.classifiers import AI_MARK

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

HUMAN = ("Our allotment flooded again this spring, so we dug a trench along the lower edge and lined it with "
         "broken roof tiles my neighbour had been hoarding for a decade, which finally justified his habit.")
AI = (f"{AI_MARK} Effective drainage is essential for maintaining healthy soil structure, preventing root rot, "
      "and ensuring optimal growing conditions, making it a crucial consideration for any gardener today.")


def test_the_author_sees_the_passage_scores_appear_after_submitting(worker, pipeline_settings, page, login,
                                                                    live_server, author, category):
    login(page, "author")
    page.goto(f"{live_server.url}/posts/new/")
    page.fill("input[name=title]", "Drainage")
    page.fill("textarea[name=body]", f"{HUMAN}\n\n{AI}")
    page.locator("[data-human-only]").check()
    page.click("form[data-post-form] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/posts/*/")

    flagged = page.locator(".passage-scores__body mark.ps-flagged")
    flagged.wait_for(timeout=30_000)  # the page reloads itself while the post is being checked

    assert flagged.inner_text() == AI
    assert "undisclosed_ai_passages" in page.locator(".passage-scores__findings").inner_text()
    assert page.locator(".passage-scores__body mark:not(.ps-flagged)").first.inner_text() == HUMAN
    assert Post.objects.get().submission.current_revision.evaluated_at is not None
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.locator(".passage-scores").screenshot(path=str(artifacts / "passage-scores.png"))
