"""The plugin inside Spirit (django-spirit), served the way ``make run-spirit`` serves it: the test starts
scripts/run-spirit.sh (SQLite, the filesystem broker, a real Celery worker) and drives it in headless Chromium.

An author writes a Spirit comment with an undisclosed AI paragraph and a disclosed AI-written section (made with
the editor's button); the worker evaluates it; Spirit shows the label, the EU mark and the collapsible section;
a Spirit moderator finds the comment in the review queue and rejects it; the comment is then gone from Spirit.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.pipeline.conftest import free_port, stop_process_group

pytestmark = [pytest.mark.browser, pytest.mark.worker]

ROOT = Path(__file__).resolve().parents[3]
UNDISCLOSED = ("AIPROSE In today's fast-paced world, it is important to note that good coffee is a journey "
               "rather than a destination, and every brewing method offers unique benefits.")
OWN = "I switched to a hand grinder last month; here is what I found."
MENTION = "Thanks @moderator for the welcome."
DISCLOSED = "The grind size matters more than the grinder's price, according to the model."


class SpiritServer:
    """scripts/run-spirit.sh in its own process group (so stopping it stops its worker too)."""

    def __init__(self, directory: Path, settings: str = "tests.integrations.spirit.settings"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.directory = directory
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update({"PORT": str(self.port), "VAR_DIR": str(directory), "PIPELINE_TEST_DIR": str(directory),
                    "DJANGO_SETTINGS_MODULE": settings, "DEBUG": "1",
                    "CELERY_QUEUE_PREFIX": f"spirit{uuid.uuid4().hex[:8]}", "PYTHONUNBUFFERED": "1"})
        self.log_path = directory / "server.log"
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen([str(ROOT / "scripts" / "run-spirit.sh")], cwd=ROOT, env=env,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"run-spirit.sh exited:\n{self.logs()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=5) as response:
                    if response.status == 200 and " ready." in self.worker_log():
                        return
            except OSError:
                pass
            time.sleep(0.5)
        pytest.fail(f"Spirit did not start within {timeout}s:\n{self.logs()}")

    def worker_log(self) -> str:
        path = self.directory / "worker.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def logs(self) -> str:
        return f"{self.log_path.read_text(errors='replace')[-4000:]}\n--- worker ---\n{self.worker_log()[-4000:]}"

    def stop(self) -> None:
        if self.process.poll() is None:
            stop_process_group(self.process, timeout=20)


@pytest.fixture(scope="module")
def spirit(tmp_path_factory):
    try:
        import spirit  # noqa: F401
    except ImportError:
        pytest.fail("django-spirit is not installed: `make install` installs the `spirit` extra.")
    server = SpiritServer(tmp_path_factory.mktemp("spirit"))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def spirit_login(browser, spirit, username, **context_options):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, **context_options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{spirit.url}/user/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo")
    page.click("input[type=submit][name=post]")
    page.wait_for_load_state()
    expect(page.locator(".header__tabs")).to_contain_text(username)  # signed in
    page.goto(f"{spirit.url}/")
    return page


def reload_until(page, selector: str, server: SpiritServer, *, timeout: float = 120) -> None:
    """Reload until ``selector`` is on the page: the worker's evaluation lands in its own time. A failure shows
    the server's and the worker's last log lines (CI shows only the failure's own output)."""
    deadline = time.monotonic() + timeout
    while page.locator(selector).count() == 0:
        if time.monotonic() > deadline:
            pytest.fail(f"{selector} did not appear within {timeout}s\n{server.logs()}")
        time.sleep(0.5)
        page.reload()


def declare_minor_ai_help(form) -> None:
    """The disclosure of a comment whose AI-written section is a sentence (a new author's: the policy holds it)."""
    form.locator("select[name=assist_drafting]").select_option("minor")
    form.locator("input[name=ai_share_percent]").fill("20")
    form.locator("textarea[name=process]").fill("The model wrote the marked sentence; I wrote the rest myself.")


def publish_topic_with_minor_ai_help(page, spirit, title: str, comment: str) -> str:
    """A new topic in Spirit's first category, with a minor-AI-help disclosure; its URL."""
    page.goto(f"{spirit.url}/topic/publish/")
    page.fill("input[name=title]", title)
    page.locator("select[name=category]").select_option(index=1)
    page.fill("textarea[name=comment]", comment)
    declare_minor_ai_help(page)
    page.click("form:has(textarea[name=comment]) input[type=submit]")
    page.wait_for_url("**/topic/**")
    return page.url.split("#")[0]


def newbie_replies_in_welcome_with_minor_ai_help(browser, spirit, comment: str):
    """The demo's new author replies in the Welcome topic with ``comment`` and a minor-AI-help disclosure (with
    an AI-written section, the policy holds it for a moderator): their page, and the topic's URL."""
    newbie = spirit_login(browser, spirit, "newbie")
    newbie.click("a:has-text('Welcome')")
    newbie.wait_for_url("**/topic/**")
    topic_url = newbie.url
    reply = newbie.locator("form.js-reply")
    reply.locator("textarea[name=comment]").fill(comment)
    declare_minor_ai_help(reply)
    reply.locator("input[type=submit]").click()
    newbie.wait_for_load_state()
    return newbie, topic_url


def open_item_of(spirit, text: str, *, timeout: float = 120) -> uuid.UUID:
    """The open review item of the comment whose text contains ``text``, once the worker has made it (a comment
    being checked is hidden too, and has no item yet)."""
    deadline = time.monotonic() + timeout
    while True:
        with sqlite3.connect(spirit.directory / "db.sqlite3") as db:
            row = db.execute("SELECT i.public_id FROM moderation_reviewitem i JOIN moderation_revision r ON "
                             "r.submission_id = i.submission_id WHERE r.body LIKE ? AND i.status = 'open'",
                             (f"%{text}%",)).fetchone()
        if row is not None:
            return uuid.UUID(row[0]) if "-" in row[0] else uuid.UUID(hex=row[0])
        assert time.monotonic() < deadline, f"no open review item for {text!r}\n{spirit.logs()}"
        time.sleep(0.5)


def test_a_spirit_comment_is_labelled_queued_and_hidden_by_the_moderators_decision(browser, spirit, artifacts):
    author = spirit_login(browser, spirit, "author")
    author.click("a:has-text('Welcome')")
    author.wait_for_url("**/topic/**")

    # Spirit's own editor, with the plugin's button in its toolbar and the disclosure form under it.
    reply = author.locator("form.js-reply")
    textarea = reply.locator("textarea[name=comment]")
    textarea.fill(f"{OWN}\n\n{MENTION}\n\n{UNDISCLOSED}\n\n")
    textarea.press("End")
    reply.locator("[data-action=ai-block]").click()
    author.fill("[data-model-input]", "Claude Opus 4.5")
    author.click("[data-model-insert]")
    author.keyboard.type(DISCLOSED)  # the cursor is inside the new, empty section
    assert ':::ai-written model="Claude Opus 4.5"\n' + DISCLOSED + "\n:::" in textarea.input_value()
    reply.locator("select[name=assist_drafting]").select_option("substantial")
    reply.locator("input[name=tools]").fill("Claude Opus 4.5")
    reply.locator("input[name=ai_share_percent]").fill("30")
    reply.locator("textarea[name=process]").fill("The model wrote the marked section from my notes; "
                                                  "the rest is my own.")
    author.screenshot(path=str(artifacts / "spirit-editor.png"), full_page=True)
    reply.locator("input[type=submit]").click()
    author.wait_for_load_state()

    # The worker evaluates it: a regular author's comment with a flagged paragraph is published and queued.
    comment = "[data-ai-comment][data-post-status=queued]"
    reload_until(author, f".comments_list__comment {comment}", spirit)
    posted = author.locator(".comments_list__comment", has=author.locator(comment))
    expect(posted.locator(".ai-label")).to_have_attribute("data-label", "ai_assisted")
    expect(posted.locator("[data-eu-label] .eu-mark")).to_be_visible()
    expect(posted.locator(".comment__text")).to_contain_text(OWN)
    # Spirit's @mentions, rendered by the integration's markdown-it plugin inside the plugin's renderer.
    expect(posted.locator(".comment__text a", has_text="@moderator")).to_have_attribute("href", re.compile(r"/user/"))
    section = posted.locator(".comment__text .post__body details")
    expect(section).to_have_count(1)
    expect(section).not_to_have_attribute("open", "")  # collapsed until the reader opens it
    expect(section).to_contain_text("Claude Opus 4.5")
    author.screenshot(path=str(artifacts / "spirit-comment-labelled.png"), full_page=True)

    # A Spirit moderator sees it in the review queue and rejects it.
    moderator = spirit_login(browser, spirit, "moderator")
    moderator.click("[data-review-queue-link]")
    moderator.wait_for_url("**/moderation/**")
    rows = moderator.locator(".mod-queue__row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Welcome")
    rows.first.locator("a").first.click()
    moderator.wait_for_url("**/moderation/items/**")
    expect(moderator.locator("mark.ps-flagged[data-start]")).to_contain_text("AIPROSE")
    moderator.select_option("#decision-form select[name=template]", "undisclosed-ai")
    moderator.click("#decision-form button[data-key=r]")
    expect(moderator.locator(".messages")).to_contain_text("Rejected")
    moderator.screenshot(path=str(artifacts / "spirit-queue-rejected.png"), full_page=True)

    # The decision takes effect in Spirit: readers no longer see the comment.
    reader = browser.new_context().new_page()
    reader.goto(author.url)
    expect(reader.locator(".comments_list")).to_contain_text("comment was removed")
    assert UNDISCLOSED not in reader.content()
    assert OWN not in reader.content()
    reader.screenshot(path=str(artifacts / "spirit-comment-removed.png"), full_page=True)

    # The author can appeal, once, as the plugin promises every author, and can rewrite the comment: in Spirit
    # there was no appeal anywhere and the edit page of a removed comment was a 404.
    author.reload()
    mine = author.locator("[data-ai-comment][data-post-status=rejected]")
    edit = mine.locator("[data-edit-comment]")
    expect(edit).to_be_visible()
    topic_url = author.url.split("#")[0]
    edit.click()
    author.wait_for_url("**/update/")
    expect(author.locator("textarea[name=comment]")).to_contain_text("AIPROSE")
    author.goto(topic_url)
    mine.locator("[data-appeal-comment]").click()
    author.wait_for_url("**/appeal/")
    author.evaluate("document.querySelector('#appeal-message').removeAttribute('minlength')")
    author.fill("#appeal-message", "no")  # too short: refused, the text kept, the error tied to the box
    author.click("[data-ai-appeal] input[type=submit]")
    expect(author.locator("#appeal-error")).to_contain_text("Explain in a sentence")
    expect(author.locator("#appeal-message")).to_have_value("no")
    author.fill("#appeal-message", "The paragraph is a quotation from a press release, not a model's text.")
    author.click("[data-ai-appeal] input[type=submit]")
    author.wait_for_url("**/topic/**")
    expect(author.locator("body")).to_contain_text("Your appeal was sent to the moderators.")
    author.goto(topic_url)
    expect(author.locator("[data-ai-comment][data-post-status=queued]")).to_have_count(1)  # back with a moderator
    expect(author.locator("[data-appeal-comment]")).to_have_count(0)  # once
    # The moderator reads the appeal in the queue and overturns the rejection: readers see the comment again.
    moderator.goto(f"{spirit.url}/moderation/?kind=appeal")
    expect(moderator.locator(".mod-queue__row")).to_have_count(1)
    moderator.locator(".mod-queue__row a").first.click()
    expect(moderator.locator(".mod-appeal")).to_contain_text("a quotation from a press release")
    moderator.click("button[data-key=a]")
    expect(moderator.locator(".messages")).to_contain_text("Approved")
    reader.goto(topic_url)
    expect(reader.locator(".comments_list")).to_contain_text(OWN)
    for page in (author, moderator, reader):
        page.context.close()


def revisions_of(spirit, text: str) -> list[tuple[int, str]]:
    """(revision number, body) of the plugin's revisions whose body contains ``text``, read from the server's
    SQLite database (the embedded default)."""
    with sqlite3.connect(spirit.directory / "db.sqlite3") as db:
        return db.execute("SELECT r.number, r.body FROM moderation_revision r JOIN moderation_submission s "
                          "ON r.submission_id = s.id WHERE s.id IN (SELECT submission_id FROM moderation_revision "
                          "WHERE body LIKE ?) ORDER BY r.number", (f"%{text}%",)).fetchall()


def test_a_comment_the_plugin_refuses_is_not_kept_by_spirit_either(browser, spirit):
    """The body does not parse (an AI-written section never closed): 400, the message next to Spirit's text
    box, what the author typed still there, and no comment in Spirit and no revision in the plugin."""
    author = spirit_login(browser, spirit, "author")
    author.click("a:has-text('Welcome')")
    author.wait_for_url("**/topic/**")
    topic_url = author.url
    broken = "Half-finished thought.\n\n:::ai-written model=\"X\"\nNever closed, by mistake."
    reply = author.locator("form.js-reply")
    reply.locator("textarea[name=comment]").fill(broken)
    # the live preview (an htmx request; Spirit's pages did not load htmx) shows the mistake before sending
    expect(author.locator("[data-preview-errors]:visible")).to_contain_text("never closed", timeout=30_000)
    reply.locator("select[name=assist_drafting]").select_option("minor")
    reply.locator("input[name=ai_share_percent]").fill("20")
    # no process yet: one answer names both mistakes, the disclosure's and the body's
    with author.expect_response(lambda r: r.request.method == "POST" and "/publish/" in r.url) as answer:
        reply.locator("input[type=submit]").click()
    assert answer.value.status == 400
    expect(author.locator("#id_comment_error")).to_contain_text("never closed")
    expect(author.locator("form.js-reply")).to_contain_text("at least a sentence")
    reply = author.locator("form.js-reply")
    reply.locator("textarea[name=process]").fill("The model suggested the second sentence; I kept it as is.")
    with author.expect_response(lambda r: r.request.method == "POST" and "/publish/" in r.url) as answer:
        reply.locator("input[type=submit]").click()
    assert answer.value.status == 400
    expect(author.locator("#id_comment_error")).to_contain_text("never closed")  # under Spirit's text box
    assert author.locator("textarea[name=comment]").input_value() == broken
    author.goto(topic_url)
    assert "Half-finished thought" not in author.content()
    assert revisions_of(spirit, "Half-finished thought") == []
    author.context.close()


def test_an_edit_in_spirit_is_a_new_revision_with_its_disclosure_confirmed(browser, spirit):
    author = spirit_login(browser, spirit, "newbie")
    author.click("a:has-text('Welcome')")
    author.wait_for_url("**/topic/**")
    topic_url = author.url.split("#")[0]
    reply = author.locator("form.js-reply")
    reply.locator("textarea[name=comment]").fill("First version, typed by hand.")
    reply.locator("input[name=human_only]").check()
    reply.locator("input[type=submit]").click()
    author.wait_for_load_state()
    assert [n for n, _ in revisions_of(spirit, "First version, typed by hand.")] == [1]

    # The newbie's comment is shown to its author (with its status) once the worker has published it.
    reload_until(author, ".comments_list__comment:has-text('First version') [data-post-status=published]", spirit)
    author.locator(".comments_list__comment", has_text="First version").locator("a:has-text('edit')").click()
    author.wait_for_url("**/update/**")
    expect(author.locator("input[name=human_only]")).to_be_checked()  # the disclosure comes back
    author.locator("textarea[name=comment]").fill("Second version, still typed by hand.")
    with author.expect_response(lambda r: r.request.method == "POST" and "/update/" in r.url) as answer:
        author.locator("form.js-reply input[type=submit]").click()
    assert answer.value.status == 400  # an edit asks the author to confirm the disclosure still holds
    expect(author.locator("[data-field=confirm] .errorlist")).to_be_visible()
    author.locator("input[name=confirm]").check()
    author.locator("form.js-reply input[type=submit]").click()
    author.wait_for_load_state()
    assert revisions_of(spirit, "Second version") == [(1, "First version, typed by hand."),
                                                      (2, "Second version, still typed by hand.")]

    # Spirit's history and profile pages draw the comment as the plugin does, with its label. The history showed
    # every earlier version to every reader, unlabelled (and as raw ":::ai-written" markup): readers now see the
    # version that stands, moderators the earlier ones too.
    reload_until(author, ".comments_list__comment:has-text('Second version') [data-post-status=published]", spirit)
    pk, _ = comment_removed(spirit, "Second version")
    reader = spirit_login(browser, spirit, "author")
    reader.goto(f"{spirit.url}/comment/history/{pk}/")
    expect(reader.locator("[data-ai-history] .ai-label")).to_have_attribute("data-label", "human_only")
    expect(reader.locator("[data-ai-history]")).to_contain_text("Second version, still typed by hand.")
    expect(reader.locator("[data-ai-history-note]")).to_be_visible()
    assert "First version" not in reader.content()
    moderator = spirit_login(browser, spirit, "moderator")
    history = moderator.context.request.get(f"{spirit.url}/comment/history/{pk}/").text()  # before Spirit's diff
    assert "First version, typed by hand." in history and "data-ai-history-note" not in history
    (user_id,), = spirit_sql(spirit, "SELECT id FROM auth_user WHERE username = 'newbie'")
    reader.goto(f"{spirit.url}/user/{user_id}/newbie/")
    listed = reader.locator(".comments_list__comment", has_text="Second version")
    expect(listed.locator(".ai-label")).to_have_attribute("data-label", "human_only")

    # A reader reports it as undisclosed AI: the report reaches the plugin's queue (Spirit's own "report" goes
    # to Spirit's flag list, which the plugin never saw).
    reader.goto(topic_url)
    shown = reader.locator(".comments_list__comment", has_text="Second version")
    shown.locator(".ai-spirit-report summary").click()
    shown.locator("[data-ai-report] textarea[name=note]").fill("Reads like a model's summary.")
    shown.locator("[data-ai-report] input[type=submit]").click()
    expect(reader.locator("body")).to_contain_text("Thank you: a moderator will look at this post.")
    # Spirit's flash message is a status region that takes the focus, so a screen reader hears it first
    expect(reader.locator(".js-messages[role=status]")).to_be_focused()
    moderator.goto(f"{spirit.url}/moderation/?reason=reader_report")
    expect(moderator.locator(".mod-queue__row", has_text="Re: Welcome")).to_have_count(1)

    # A Spirit moderator fixes a typo in it: no disclosure form asking them to confirm the author's disclosure
    # on the author's behalf (it did), and the new revision keeps the author's.
    moderator.goto(f"{spirit.url}/comment/{pk}/update/")
    expect(moderator.locator("[data-disclosure-form]")).to_have_count(0)
    moderator.locator("textarea[name=comment]").fill("Second version, still typed by hand (typo fixed).")
    with moderator.expect_response(lambda r: r.request.method == "POST" and "/update/" in r.url) as answer:
        moderator.locator("form.js-reply input[type=submit]").click()
    assert answer.value.status == 302
    disclosures = spirit_sql(spirit, "SELECT r.number, r.disclosure FROM moderation_revision r WHERE r.submission_id "
                                     "= (SELECT submission_id FROM moderation_revision WHERE body LIKE ?) "
                                     "ORDER BY r.number", "%typo fixed%")
    assert [n for n, _ in disclosures] == [1, 2, 3] and disclosures[2][1] == disclosures[1][1]
    # and the revision names the moderator as its editor: it was recorded as the author's own edit
    editors = spirit_sql(spirit, "SELECT r.number, r.editor_external_id, r.editor_display_name FROM moderation_revision r "
                                 "WHERE r.submission_id = (SELECT submission_id FROM moderation_revision WHERE body "
                                 "LIKE ?) ORDER BY r.number", "%typo fixed%")
    (moderator_id,), = spirit_sql(spirit, "SELECT id FROM auth_user WHERE username = 'moderator'")
    assert editors == [(1, "", ""), (2, "", ""), (3, str(moderator_id), "moderator")]
    for page in (author, reader, moderator):
        page.context.close()


def test_asked_for_a_disclosure_fix_the_author_fixes_the_hidden_comment_and_it_comes_back(browser, spirit,
                                                                                          artifacts):
    """Spirit lets no author edit a removed comment; the plugin hides a comment while it waits for the author's
    fix. The author gets a "Fix this comment" link with the moderator's message, and the fixed comment returns."""
    author = spirit_login(browser, spirit, "author")
    author.click("a:has-text('Welcome')")
    author.wait_for_url("**/topic/**")
    topic_url = author.url
    reply = author.locator("form.js-reply")
    reply.locator("textarea[name=comment]").fill(f"Needs a fix.\n\n{UNDISCLOSED}")
    reply.locator("select[name=assist_editing]").select_option("minor")
    reply.locator("textarea[name=process]").fill("The model fixed my grammar in the second paragraph.")
    reply.locator("input[type=submit]").click()
    author.wait_for_load_state()
    reload_until(author, ".comments_list__comment:has-text('Needs a fix.') [data-post-status=queued]", spirit)

    moderator = spirit_login(browser, spirit, "moderator")
    moderator.goto(f"{spirit.url}/moderation/")
    moderator.locator(".mod-queue__row", has_text="Re: Welcome").locator("a").first.click()
    moderator.wait_for_url("**/moderation/items/**")
    expect(moderator.locator(".mod-item")).to_contain_text("Needs a fix.")
    moderator.fill("#decision-form textarea[name=message]", "Put the second paragraph in an AI-written section.")
    moderator.click("#decision-form button:has-text('Ask for a disclosure fix')")
    moderator.screenshot(path=str(artifacts / "spirit-queue-fix-asked.png"), full_page=True)
    expect(moderator.locator(".messages")).to_contain_text("for a disclosure fix")

    author.goto(topic_url)
    reload_until(author, ".comments_list__item:has-text('Put the second paragraph')", spirit)
    author.screenshot(path=str(artifacts / "spirit-comment-fix-asked.png"), full_page=True)
    held = author.locator(".comments_list__item", has_text="Put the second paragraph")
    expect(held).to_contain_text("comment was removed")
    held.locator("[data-fix-comment]").click()
    author.wait_for_url("**/update/**")
    # the same text and disclosure again is no fix, and the author is told so (it went by silently)
    author.locator("input[name=confirm]").check()
    author.locator("form.js-reply input[type=submit]").click()
    author.wait_for_load_state()
    expect(author.locator("body")).to_contain_text("Nothing changed, so no new revision was made.")
    assert [n for n, _ in revisions_of(spirit, "Needs a fix.")] == [1]
    author.goto(topic_url)
    author.locator(".comments_list__item", has_text="Put the second paragraph").locator("[data-fix-comment]").click()
    author.wait_for_url("**/update/**")
    fixed = f'Needs a fix.\n\n:::ai-written model="Claude"\nThe model fixed this paragraph\'s grammar.\n:::'
    author.locator("textarea[name=comment]").fill(fixed)
    author.locator("select[name=assist_drafting]").select_option("minor")
    author.locator("input[name=ai_share_percent]").fill("40")
    author.locator("input[name=confirm]").check()
    author.locator("form.js-reply input[type=submit]").click()
    author.wait_for_load_state()
    assert [n for n, _ in revisions_of(spirit, "Needs a fix.")] == [1, 2]
    author.goto(topic_url)  # the message asked for a fix of revision 1: it is not shown beside revision 2
    assert "Put the second paragraph" not in author.content()

    reader = browser.new_context().new_page()
    reader.goto(topic_url)
    deadline = time.monotonic() + 120
    while "fixed this paragraph" not in reader.content():  # evaluated and published again
        assert time.monotonic() < deadline, f"the fixed comment did not come back\n{spirit.logs()}"
        time.sleep(0.5)
        reader.reload()
    for page in (author, moderator, reader):
        page.context.close()


def comment_removed(spirit, text: str) -> tuple[int, int]:
    """(pk, is_removed) of the Spirit comment whose text contains ``text``, from the server's database."""
    with sqlite3.connect(spirit.directory / "db.sqlite3") as db:
        return db.execute("SELECT id, is_removed FROM spirit_comment_comment WHERE comment LIKE ?",
                          (f"%{text}%",)).fetchone()


def test_spirit_and_the_plugin_never_disagree_about_a_held_comment(browser, spirit):
    """A comment the plugin keeps from readers is not shown again by Spirit's "undelete" (only by a decision in
    the review queue), and a decision applies its visibility to Spirit even when the plugin's did not change: a
    rejected comment that Spirit had shown again stayed visible to readers."""
    newbie, topic_url = newbie_replies_in_welcome_with_minor_ai_help(
        browser, spirit, 'HELDTEXT mine.\n\n:::ai-written model="Claude"\nAI text C.\n:::')
    open_item_of(spirit, "HELDTEXT")  # the policy holds a new author's AI text for a moderator
    assert comment_removed(spirit, "HELDTEXT")[1] == 1
    pk, _ = comment_removed(spirit, "HELDTEXT")

    moderator = spirit_login(browser, spirit, "moderator")
    moderator.goto(f"{spirit.url}/comment/{pk}/undelete/")
    moderator.click("input[type=submit][name=post]")  # Spirit's "Apply"
    moderator.wait_for_load_state()
    assert "/moderation/items/" in moderator.url
    expect(moderator.locator(".messages")).to_contain_text("review queue keeps this comment from readers")
    assert comment_removed(spirit, "HELDTEXT")[1] == 1

    # Shown again behind the plugin's back (as Spirit's undelete did): the next decision hides it again.
    with sqlite3.connect(spirit.directory / "db.sqlite3") as db:
        db.execute("UPDATE spirit_comment_comment SET is_removed = 0 WHERE id = ?", (pk,))
    moderator.select_option("#decision-form select[name=template]", "undisclosed-ai")
    moderator.click("#decision-form button[data-key=r]")
    expect(moderator.locator(".messages")).to_contain_text("Rejected")
    assert comment_removed(spirit, "HELDTEXT")[1] == 1
    reader = browser.new_context().new_page()
    reader.goto(topic_url)
    assert "HELDTEXT" not in reader.content()
    for page in (newbie, moderator, reader):
        page.context.close()


def test_the_editor_speaks_the_readers_language(browser, spirit):
    """Found by review: in German, Spirit's toolbar button and the section dialog stayed English (the page
    did not load the plugin's JavaScript catalogue, and the button's words were written into the script)."""
    author = spirit_login(browser, spirit, "author", locale="de-DE")
    author.click("a:has-text('Welcome')")
    author.wait_for_url("**/topic/**")
    button = author.locator("form.js-reply [data-action=ai-block]")
    expect(button).to_have_text("KI-geschriebener Abschnitt")
    expect(button).to_have_attribute("title", "Die Auswahl in einen KI-geschriebenen Abschnitt setzen")
    button.click()  # the model dialog is the plugin's editor.js, in German from the same catalogue
    expect(author.locator("[data-model-dialog]")).to_contain_text("Welches Modell")
    author.context.close()


def test_a_new_private_conversation_shows_no_disclosure_form_that_would_be_thrown_away(browser, spirit):
    author = spirit_login(browser, spirit, "author")
    author.goto(f"{spirit.url}/topic/private/publish/")
    expect(author.locator("textarea[name=comment]")).to_be_visible()
    expect(author.locator("[data-disclosure-form]")).to_have_count(0)
    expect(author.locator("[data-action=ai-block]")).to_have_count(0)
    author.context.close()


def test_with_private_topics_moderated_a_new_conversation_goes_to_the_plugin_with_its_disclosure(
        browser, tmp_path_factory):
    """``MODERATE_PRIVATE_TOPICS``: the new conversation's page shows the disclosure form, and its first comment
    reaches the plugin with the author's disclosure. It arrived ``not_disclosed`` (no disclosure at all)."""
    server = SpiritServer(tmp_path_factory.mktemp("spirit-private"),
                          settings="tests.integrations.spirit.settings_private")
    try:
        server.wait_ready()
        author = spirit_login(browser, server, "author")
        with sqlite3.connect(server.directory / "db.sqlite3") as db:
            (moderator_id,) = db.execute("SELECT id FROM auth_user WHERE username = 'moderator'").fetchone()
        author.goto(f"{server.url}/topic/private/publish/{moderator_id}/")
        expect(author.locator("[data-disclosure-form]")).to_have_count(1)
        author.fill("input[name=title]", "A private question")
        author.fill("textarea[name=comment]", "PRIVATEFIRST I wrote this note to the moderator myself.")
        author.check("input[name=human_only]")
        author.click("form:has(textarea[name=comment]) input[type=submit]")
        author.wait_for_url("**/topic/**")
        with sqlite3.connect(server.directory / "db.sqlite3") as db:
            rows = db.execute("SELECT disclosure FROM moderation_revision WHERE body LIKE ?",
                              ("%PRIVATEFIRST%",)).fetchall()
        assert len(rows) == 1 and rows[0][0] is not None, server.logs()
        assert json.loads(rows[0][0])["human_only"] is True
        author.context.close()
    finally:
        server.stop()


def test_a_comment_spirits_moderator_deleted_stays_deleted_when_the_queue_approves_it(browser, spirit):
    """Spirit's own "delete" (spam, abuse) and the plugin's hiding share ``Comment.is_removed``: an approval in the
    review queue afterwards showed the deleted comment to readers again."""
    author = spirit_login(browser, spirit, "author")
    author.click("a:has-text('Welcome')")
    author.wait_for_url("**/topic/**")
    topic_url = author.url
    reply = author.locator("form.js-reply")
    reply.locator("textarea[name=comment]").fill(f"SPAMDELETED mine.\n\n{UNDISCLOSED}")
    reply.locator("input[name=human_only]").check()
    reply.locator("input[type=submit]").click()
    author.wait_for_load_state()
    public_id = open_item_of(spirit, "SPAMDELETED")  # a flagged comment goes to the queue
    pk, _ = comment_removed(spirit, "SPAMDELETED")

    moderator = spirit_login(browser, spirit, "moderator")
    moderator.goto(f"{spirit.url}/comment/{pk}/delete/")
    moderator.click("input[type=submit][name=post]")  # Spirit's own "delete"
    moderator.wait_for_load_state()
    assert comment_removed(spirit, "SPAMDELETED")[1] == 1

    # the queue's row and the item say so, so that a moderator does not judge a comment already gone (nothing did)
    moderator.goto(f"{spirit.url}/moderation/")
    expect(moderator.locator(f"tr[data-item='{public_id}'] [data-removed-by-host]")).to_have_attribute(
        "title", "A Spirit moderator deleted this comment.")
    moderator.goto(f"{spirit.url}/moderation/items/{public_id}/")
    expect(moderator.locator("[data-removed-by-host]")).to_contain_text("A Spirit moderator deleted this comment.")
    # stored, so that the queue's filter "Removed in the forum" sees it (round 21: it saw only the API's removals)
    assert host_removed(spirit, pk) == "removed_by_moderators"
    moderator.goto(f"{spirit.url}/moderation/?status=&removed=only")
    expect(moderator.locator(f"tr[data-item='{public_id}']")).to_have_count(1)
    moderator.goto(f"{spirit.url}/moderation/items/{public_id}/")
    moderator.click("button[data-key=a]")
    expect(moderator.locator(".messages")).to_contain_text("Approved")
    assert comment_removed(spirit, "SPAMDELETED")[1] == 1
    reader = browser.new_context().new_page()
    reader.goto(topic_url)
    assert "SPAMDELETED" not in reader.content()

    # Spirit's "undelete" withdraws its own deletion: the plugin's approval stands, so the comment is back.
    moderator.goto(f"{spirit.url}/comment/{pk}/undelete/")
    moderator.click("input[type=submit][name=post]")
    moderator.wait_for_load_state()
    assert comment_removed(spirit, "SPAMDELETED")[1] == 0
    assert host_removed(spirit, pk) is None
    for page in (author, moderator, reader):
        page.context.close()


def spirit_sql(spirit, query: str, *args):
    with sqlite3.connect(spirit.directory / "db.sqlite3") as db:
        return db.execute(query, args).fetchall()


def host_removed(spirit, comment_pk: int) -> str | None:
    """The stored reason the forum removed the comment's post itself (``Submission.host_removed_reason``), None
    when it is not stored as removed."""
    (reason,), = spirit_sql(spirit, "SELECT CASE WHEN host_removed_at IS NULL THEN NULL ELSE host_removed_reason END "
                                    "FROM moderation_submission WHERE external_id = ?", f"spirit-comment:{comment_pk}")
    return reason


def test_a_held_comment_notifies_and_bumps_nothing_until_readers_can_see_it(browser, spirit):
    """Spirit announces a comment as it saves it (reply and @mention notifications and e-mails, unread marks,
    the topic's count and its place at the top): a comment the plugin held, spam or not, pinged the people it
    mentioned and bumped its topic. Now that happens when the comment is shown, here on the moderator's approval."""
    (topic_id, count_before), = spirit_sql(spirit, "SELECT id, comment_count FROM spirit_topic_topic "
                                                   "WHERE title LIKE 'Welcome%'")
    newbie, _ = newbie_replies_in_welcome_with_minor_ai_help(
        browser, spirit, 'HELDMENTION Thanks @author, see below.\n\n:::ai-written model="Claude"\nAI text M.\n:::')
    public_id = open_item_of(spirit, "HELDMENTION")  # the policy holds a new author's AI text for a moderator
    pk, removed = comment_removed(spirit, "HELDMENTION")
    notified = ("SELECT u.username, n.action FROM spirit_topic_notification_topicnotification n "
                "JOIN auth_user u ON u.id = n.user_id WHERE n.comment_id = ? ORDER BY u.username")
    assert removed == 1
    assert spirit_sql(spirit, notified, pk) == []  # @author was not pinged, nobody was told of a reply
    assert spirit_sql(spirit, "SELECT comment_count FROM spirit_topic_topic WHERE id = ?", topic_id) == [
        (count_before,)]

    moderator = spirit_login(browser, spirit, "moderator")
    moderator.goto(f"{spirit.url}/moderation/items/{public_id}/")
    moderator.click("button[data-key=a]")
    expect(moderator.locator(".messages")).to_contain_text("Approved")

    assert comment_removed(spirit, "HELDMENTION")[1] == 0
    # Spirit's notification (a MENTION, or a COMMENT where @author already follows the topic), now that
    # readers see it
    assert "author" in {username for username, _action in spirit_sql(spirit, notified, pk)}
    assert spirit_sql(spirit, "SELECT comment_count FROM spirit_topic_topic WHERE id = ?", topic_id) == [
        (count_before + 1,)]
    for page in (newbie, moderator):
        page.context.close()


def test_a_reply_quoting_a_comment_hidden_meanwhile_still_posts(browser, spirit):
    """Spirit looked the quoted comment up again when the reply was sent: hidden since the form opened (a
    moderator's decision), it answered a bare 404 and the reply was lost."""
    newbie = spirit_login(browser, spirit, "newbie")
    newbie.click("a:has-text('Welcome')")
    newbie.wait_for_url("**/topic/**")
    (topic_id,), = spirit_sql(spirit, "SELECT id FROM spirit_topic_topic WHERE title LIKE 'Welcome%'")
    reply = newbie.locator("form.js-reply")
    reply.locator("textarea[name=comment]").fill("QUOTEME, typed by hand.")
    reply.locator("input[name=human_only]").check()
    reply.locator("input[type=submit]").click()
    newbie.wait_for_load_state()
    reload_until(newbie, ".comments_list__comment:has-text('QUOTEME') [data-post-status=published]", spirit)
    pk, _ = comment_removed(spirit, "QUOTEME")

    author = spirit_login(browser, spirit, "author")
    author.goto(f"{spirit.url}/comment/{topic_id}/publish/{pk}/quote/")
    textarea = author.locator("textarea[name=comment]")
    expect(textarea).to_contain_text("QUOTEME")
    with sqlite3.connect(spirit.directory / "db.sqlite3") as db:  # a moderator's decision hides it meanwhile
        db.execute("UPDATE spirit_comment_comment SET is_removed = 1 WHERE id = ?", (pk,))
    textarea.fill("QUOTEREPLY I disagree with the comment above.")
    author.locator("input[name=human_only]").check()
    with author.expect_response(lambda r: r.request.method == "POST" and "/quote/" in r.url) as answer:
        author.locator("form.js-reply input[type=submit]").click()
    assert answer.value.status == 302
    assert comment_removed(spirit, "QUOTEREPLY") is not None
    for page in (newbie, author):
        page.context.close()


def test_a_topic_whose_opening_comment_is_held_is_hidden_with_it_and_its_author_still_reads_it(browser, spirit):
    """Spirit listed a new topic (title, author) to everyone while the plugin held its opening comment for a
    moderator, and after a rejection too. The topic is now held with it; its author still opens it and reads
    the status; an approval shows the topic."""
    newbie = spirit_login(browser, spirit, "newbie")
    topic_url = publish_topic_with_minor_ai_help(newbie, spirit, "HELDTOPIC cheap watches",
                                                 'My notes.\n\n:::ai-written model="Claude"\nAI text T.\n:::')
    public_id = open_item_of(spirit, "AI text T.")  # the policy holds a new author's AI text for a moderator

    reader = browser.new_context().new_page()
    reader.goto(f"{spirit.url}/")
    assert "HELDTOPIC" not in reader.content()
    assert reader.goto(topic_url).status == 404
    newbie.goto(topic_url)  # its author reads it, with the status of the comment
    expect(newbie.locator("[data-ai-comment][data-post-status=queued]")).to_contain_text(
        "A moderator will look at this comment before readers see it")

    moderator = spirit_login(browser, spirit, "moderator")
    (topic_id,), = spirit_sql(spirit, "SELECT id FROM spirit_topic_topic WHERE title LIKE 'HELDTOPIC%'")
    moderator.goto(f"{spirit.url}/topic/moderate/undelete/{topic_id}/")  # Spirit's undelete is not the way
    moderator.click("input[type=submit][name=post]")
    moderator.wait_for_url("**/moderation/items/**")
    expect(moderator.locator(".messages")).to_contain_text("decide it there to show the topic")
    assert reader.goto(topic_url).status == 404
    moderator.click("button[data-key=a]")
    expect(moderator.locator(".messages")).to_contain_text("Approved")
    assert reader.goto(topic_url).status == 200
    expect(reader.locator(".comments_list")).to_contain_text("My notes.")
    reader.goto(f"{spirit.url}/")
    assert "HELDTOPIC" in reader.content()

    # Once it has replies it stays public: an edit of the opening comment held again hides that comment, not
    # the topic and everyone's replies with it (nor the reply someone is writing).
    author = spirit_login(browser, spirit, "author")
    author.goto(topic_url)
    author.locator("form.js-reply textarea[name=comment]").fill("HELDTOPICREPLY Nice watches, by hand.")
    author.locator("form.js-reply input[name=human_only]").check()
    author.locator("form.js-reply input[type=submit]").click()
    author.wait_for_load_state()
    reload_until(author, ".comments_list__comment:has-text('HELDTOPICREPLY') [data-post-status=published]", spirit)
    (opening,), = spirit_sql(spirit, "SELECT MIN(id) FROM spirit_comment_comment WHERE topic_id = ?", topic_id)
    newbie.goto(f"{spirit.url}/comment/{opening}/update/")
    newbie.fill("textarea[name=comment]", 'My notes, edited.\n\n:::ai-written model="Claude"\nAI text T2.\n:::')
    newbie.locator("input[name=confirm]").check()
    newbie.click("form.js-reply input[type=submit]")
    newbie.wait_for_load_state()
    deadline = time.monotonic() + 120
    while comment_removed(spirit, "My notes, edited.")[1] != 1 or not spirit_sql(
            spirit, "SELECT 1 FROM moderation_reviewitem i JOIN moderation_revision r ON r.submission_id = "
                    "i.submission_id WHERE r.body LIKE ? AND i.status = 'open'", "%AI text T2.%"):
        assert time.monotonic() < deadline, f"the edit was not held\n{spirit.logs()}"
        time.sleep(0.5)
    assert reader.goto(topic_url).status == 200
    expect(reader.locator(".comments_list")).to_contain_text("HELDTOPICREPLY")
    for page in (newbie, moderator, reader, author):
        page.context.close()


def test_a_held_topic_that_spirits_moderator_deleted_stays_deleted_when_the_queue_approves_it(browser, spirit):
    """Spirit's topic "delete" takes the removal over from the plugin's hold: the approval of the opening
    comment does not show again a topic Spirit's moderator deleted; Spirit's "undelete" does."""
    newbie = spirit_login(browser, spirit, "newbie")
    topic_url = publish_topic_with_minor_ai_help(newbie, spirit, "DELETEDTOPIC spam",
                                                 'Spam.\n\n:::ai-written model="Claude"\nAI text D.\n:::')
    public_id = open_item_of(spirit, "AI text D.")
    (topic_id,), = spirit_sql(spirit, "SELECT id FROM spirit_topic_topic WHERE title LIKE 'DELETEDTOPIC%'")

    moderator = spirit_login(browser, spirit, "moderator")
    moderator.goto(f"{spirit.url}/topic/moderate/delete/{topic_id}/")
    moderator.click("input[type=submit][name=post]")  # Spirit's own "delete"
    moderator.wait_for_load_state()
    (opening,), = spirit_sql(spirit, "SELECT id FROM spirit_comment_comment WHERE topic_id = ? AND action = 0",
                             topic_id)
    assert host_removed(spirit, opening) == "removed_by_moderators"  # stored for the queue's filter
    moderator.goto(f"{spirit.url}/moderation/items/{public_id}/")
    moderator.click("button[data-key=a]")
    expect(moderator.locator(".messages")).to_contain_text("Approved")
    reader = browser.new_context().new_page()
    assert reader.goto(topic_url).status == 404  # still Spirit's deletion

    moderator.goto(f"{spirit.url}/topic/moderate/undelete/{topic_id}/")
    moderator.click("input[type=submit][name=post]")
    moderator.wait_for_load_state()
    assert reader.goto(topic_url).status == 200
    assert host_removed(spirit, opening) is None
    for page in (newbie, moderator, reader):
        page.context.close()


def test_a_held_comment_is_not_moved_and_spirits_undelete_after_an_approval_announces_it(browser, spirit):
    """Spirit's move of a comment it never announced took one from the old topic's count (a 500 on a count of
    0) and announced it in the new topic; and a comment Spirit's moderator deleted, approved in the queue, then
    undeleted in Spirit, was shown but never announced (its notifications lost)."""
    (topic_id,), = spirit_sql(spirit, "SELECT id FROM spirit_topic_topic WHERE title LIKE 'Welcome%'")
    # Spirit points a user's notification in a topic at a new mention only once they have read the last one:
    # the author has read everything here, whichever tests ran before (it failed after the "notifies" test)
    spirit_sql(spirit, "UPDATE spirit_topic_notification_topicnotification SET is_read = 1 WHERE topic_id = ?",
               topic_id)
    newbie, _ = newbie_replies_in_welcome_with_minor_ai_help(
        browser, spirit, 'MOVEHELD Hello @author, look.\n\n:::ai-written model="Claude"\nAI text H.\n:::')
    public_id = open_item_of(spirit, "MOVEHELD")
    pk, _ = comment_removed(spirit, "MOVEHELD")

    moderator = spirit_login(browser, spirit, "moderator")
    moderator.goto(f"{spirit.url}/topic/{topic_id}/")
    csrf = next(c["value"] for c in moderator.context.cookies() if c["name"] == "csrftoken")
    moved = moderator.context.request.post(f"{spirit.url}/comment/{topic_id}/move/", form={
        "csrfmiddlewaretoken": csrf, "topic": str(topic_id), "comments": str(pk)},
        headers={"Referer": f"{spirit.url}/topic/{topic_id}/"})
    assert moved.status == 200 and "cannot be moved" in moved.text()
    assert spirit_sql(spirit, "SELECT topic_id FROM spirit_comment_comment WHERE id = ?", pk) == [(topic_id,)]

    moderator.goto(f"{spirit.url}/comment/{pk}/delete/")
    moderator.click("input[type=submit][name=post]")  # Spirit's own "delete"
    moderator.wait_for_load_state()
    moderator.goto(f"{spirit.url}/moderation/items/{public_id}/")
    moderator.click("button[data-key=a]")
    expect(moderator.locator(".messages")).to_contain_text("Approved")
    notified = "SELECT u.username FROM spirit_topic_notification_topicnotification n JOIN auth_user u " \
               "ON u.id = n.user_id WHERE n.comment_id = ?"
    assert comment_removed(spirit, "MOVEHELD")[1] == 1 and spirit_sql(spirit, notified, pk) == []

    moderator.goto(f"{spirit.url}/comment/{pk}/undelete/")
    moderator.click("input[type=submit][name=post]")  # Spirit's "undelete": shown, and announced now
    moderator.wait_for_load_state()
    assert comment_removed(spirit, "MOVEHELD")[1] == 0
    assert ("author",) in spirit_sql(spirit, notified, pk)
    for page in (newbie, moderator):
        page.context.close()
