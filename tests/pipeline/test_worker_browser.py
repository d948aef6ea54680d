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


def _post_undeclared_ai(page, live_server, login, username, title, *, held=True):
    """Log in as ``username`` and post HUMAN then AI, ticked "entirely human-written" (the AI paragraph is
    undeclared); ``held``: the text asks the test classifier to wait ([[sleep]]) while the hold file exists."""
    login(page, username)
    page.goto(f"{live_server.url}/posts/new/")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=body]", f"{HUMAN}{' [[sleep]]' if held else ''}\n\n{AI}")
    page.locator("[data-human-only]").check()
    page.click("form[data-post-form] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/posts/*/")


def test_the_author_sees_the_passage_scores_appear_after_submitting(worker, pipeline_settings, page, login,
                                                                    live_server, author, category):
    _post_undeclared_ai(page, live_server, login, "author", "Drainage", held=False)

    flagged = page.locator(".passage-scores__body mark.ps-flagged")
    flagged.wait_for(timeout=30_000)  # the page reloads itself while the post is being checked

    assert flagged.inner_text() == AI
    assert "undisclosed_ai_passages" in page.locator(".passage-scores__findings").inner_text()
    assert page.locator(".passage-scores__body mark:not(.ps-flagged)").first.inner_text() == HUMAN
    assert Post.objects.get().submission.current_revision.evaluated_at is not None
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.locator(".passage-scores").screenshot(path=str(artifacts / "passage-scores.png"))


def test_the_scores_arrive_in_place_without_reloading_the_page(worker, pipeline_settings, pipeline_dir, page, login,
                                                               live_server, author, category):
    """The page used to reload itself every 2 s while the post was being checked: the keyboard focus went back to
    the top and a moderator's half-typed note on the item page was thrown away. Now only the parts that change
    are swapped in, and a status message says the scores are in. (Tested on the author's post page; the item
    page runs the same script on its own regions.)"""
    hold = pipeline_dir / "hold"
    hold.touch()  # the classifier waits while this file exists, so the page is certainly opened while pending
    try:
        _post_undeclared_ai(page, live_server, login, "author", "Drainage, held")
        assert page.locator("[data-passage-scores-pending]").count() == 1
        assert "being checked" in page.locator("[data-refresh=post-status]").inner_text()
        page.evaluate("window.__sameDocument = true")
        page.get_by_role("link", name="Edit this post").focus()
    finally:
        hold.unlink(missing_ok=True)

    page.locator(".passage-scores__body mark.ps-flagged").wait_for(timeout=30_000)

    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    assert page.evaluate("document.activeElement.textContent") == "Edit this post"
    assert page.locator("[data-passage-scores-pending]").count() == 0
    assert "being checked" not in page.locator("[data-refresh=post-status]").inner_text()
    announced = page.locator("p.visually-hidden[role=status]")
    assert announced.inner_text().startswith("The classifier scores are in.")


def test_when_the_session_ends_while_waiting_the_page_says_so_and_announces_no_scores(
        worker, pipeline_settings, pipeline_dir, page, login, live_server, author, category):
    """A poll that gets another page back (the login page, once the session expired) stops there: before the
    guard, the swap found nothing to replace and the page announced "The classifier scores are in." with none
    shown."""
    hold = pipeline_dir / "hold"
    hold.touch()
    try:
        _post_undeclared_ai(page, live_server, login, "author", "Drainage, logged out")
        assert page.locator("[data-passage-scores-pending]").count() == 1
        # the session ends: the next poll is answered with the login page (200, after the redirect)
        page.route(page.url, lambda route: route.fulfill(
            status=200, content_type="text/html",
            body="<html><body><h1>Log in</h1><form method=post><input name=username></form></body></html>"))

        pending = page.locator(".passage-scores__pending")
        pending.filter(has_text="Reload the page later").wait_for(timeout=15_000)
    finally:
        hold.unlink(missing_ok=True)

    assert page.locator("p.visually-hidden[role=status]").inner_text() == ""
    assert page.locator("[data-passage-scores-pending]").count() == 1  # nothing swapped in from the login page
    _wait_until_evaluated(Post.objects.get())  # the worker finishes before the tables are emptied


def _wait_until_evaluated(post, timeout: float = 30):
    import time

    deadline = time.monotonic() + timeout
    while post.submission.current_revision.evaluated_at is None:
        assert time.monotonic() < deadline, "the worker did not finish the evaluation"
        time.sleep(0.2)
        post.submission.current_revision.refresh_from_db()


def test_a_moderator_whose_item_changes_with_the_scores_is_told_before_deciding(
        worker, pipeline_settings, pipeline_dir, page, browser, login, live_server, moderator, make_user, category):
    """A trusted author's post is shown while it is checked, and a reader reported it then, so the item page
    opened pending. When the scores arrive the pipeline updates the item (reasons, priority, a new version):
    the decision form on the page still carries the old version and would be refused. The page says so and
    announces it."""
    from moderation.models import ReviewItem
    from moderation.services.reports import report_by_member

    pipeline_settings.MODERATION = {**pipeline_settings.MODERATION, "SHOW_TRUSTED_BEFORE_EVALUATION": True}
    make_user("veteran", standing="trusted")
    hold = pipeline_dir / "hold"
    hold.touch()
    moderator_page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    try:
        _post_undeclared_ai(page, live_server, login, "veteran", "Drainage, reported")
        post = Post.objects.get()
        report_by_member(submission_id=post.submission.pk, user=make_user("reader"), note="Reads like a model.")
        item = ReviewItem.objects.get(submission=post.submission)

        login(moderator_page, "moderator")
        moderator_page.goto(f"{live_server.url}/moderation/items/{item.public_id}/")
        assert moderator_page.locator("[data-passage-scores-pending]").count() == 1
        drawn_version = int(moderator_page.locator(".mod-item").get_attribute("data-version"))
    finally:
        hold.unlink(missing_ok=True)

    notice = moderator_page.locator("[data-item-changed]")
    notice.wait_for(timeout=30_000)
    item.refresh_from_db()
    assert item.version > drawn_version
    assert "a decision sent now would be refused" in notice.inner_text()
    assert moderator_page.locator("p.visually-hidden[role=status]").inner_text() == notice.inner_text()
    moderator_page.context.close()
