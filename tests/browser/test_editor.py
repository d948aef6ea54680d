"""The editor in a real browser (headless Debian Chromium): write a post, wrap a paragraph in an AI-written
section with the toolbar, submit a contradictory disclosure, see the error, fix it, and read the published
post with its collapsible AI block. Also saves the README's screenshots (docs/screenshots/)."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from forum.models import Category, Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
OPENING = "Tide pools are small worlds: every low tide, the sea leaves behind a few rock basins full of life."
AI_PARAGRAPH = ("Anemones close when the water warms, hermit crabs trade shells, and sculpins hide in plain "
                "sight against the rock.")
CLOSING = "I spent a morning counting what lived in one of them; here is what I found, and what surprised me."
BODY = f"{OPENING}\n\n{AI_PARAGRAPH}\n\n{CLOSING}"
MODEL = "Claude Opus 4.5"


@pytest.fixture
def forum(settings, make_user):
    # No classifiers: the evaluation runs synchronously at commit, so readers see the post at once.
    settings.MODERATION = {**settings.MODERATION, "CLASSIFIERS": []}
    Category.objects.create(slug="nature", name="Nature", requires_disclosure=True)
    return {"author": make_user("author"), "reader": make_user("reader")}


def select_text(page, selector, text):
    """Select ``text`` inside a textarea, as a user dragging over it would."""
    page.eval_on_selector(selector, """(el, text) => {
        const start = el.value.indexOf(text);
        el.focus();
        el.setSelectionRange(start, start + text.length);
    }""", text)


def test_write_a_post_with_an_ai_block_fix_the_disclosure_and_read_it(browser, page, live_server, login, forum):
    login(page, "author")
    page.goto(f"{live_server.url}/posts/new/")
    page.fill("input[name=title]", "What lives in a tide pool")
    page.fill("[data-editor-body]", BODY)

    # The toolbar appears only with JavaScript; the button asks for the model inside the page.
    select_text(page, "[data-editor-body]", AI_PARAGRAPH)
    page.click("[data-action=ai-block]")
    page.fill("[data-model-input]", MODEL)
    page.press("[data-model-input]", "Enter")

    body = page.input_value("[data-editor-body]")
    assert body == f'{OPENING}\n\n:::ai-written model="{MODEL}"\n{AI_PARAGRAPH}\n:::\n\n{CLOSING}'
    selected = page.eval_on_selector("[data-editor-body]",
                                     "el => el.value.slice(el.selectionStart, el.selectionEnd)")
    assert selected == AI_PARAGRAPH
    assert page.evaluate("() => localStorage.getItem('disclosure.lastModel')") == MODEL

    # The live preview renders the block as readers will see it.
    preview_label = page.locator("[data-preview-body] section.ai-block summary")
    preview_label.wait_for()
    assert preview_label.inner_text() == f"AI-written · {MODEL}"

    # Untick → details shown and enabled; tick → hidden, disabled, and a warning about the AI block.
    human_only = page.locator("[data-human-only]")
    details = page.locator("[data-disclosure-details]")
    assert not human_only.is_checked() and details.is_visible()
    # the box says it shows or hides the questions below it (a screen reader heard only "checkbox")
    assert human_only.get_attribute("aria-controls") == details.get_attribute("id")
    expect(human_only).to_have_attribute("aria-expanded", "true")
    page.select_option("select[name=assist_editing]", "minor")
    human_only.check()
    assert details.is_hidden()
    expect(human_only).to_have_attribute("aria-expanded", "false")
    assert page.locator("select[name=assist_editing]").is_disabled()
    assert "cannot be marked entirely human-written" in page.locator("[data-disclosure-nudge]").inner_text()
    # the box itself says it too, whenever it has the focus (the alert is read once, when it appears)
    expect(human_only).to_have_accessible_description(re.compile("cannot be marked entirely human-written"))
    human_only.uncheck()
    assert details.is_visible() and page.locator("[data-disclosure-nudge]").is_hidden()
    expect(human_only).to_have_accessible_description("")
    assert page.locator("select[name=assist_editing]").input_value() == "minor"  # kept while hidden
    human_only.check()

    # Submit the contradiction: the error sits next to the checkbox and nothing typed is lost.
    page.click("form[data-post-form] button[type=submit]")
    error = page.locator("[data-field=human_only] .errorlist")
    error.wait_for()
    assert "1 AI-written section" in error.inner_text()
    # The page was reloaded with the error: wait for the editor's deferred script before reading visibility.
    expect(page.locator("[data-disclosure-nudge]")).to_be_hidden()  # the server's message is enough
    expect(page.locator("[data-disclosure-details]")).to_be_hidden()  # still ticked, so still hidden
    assert page.input_value("[data-editor-body]") == body
    assert page.input_value("input[name=title]") == "What lives in a tide pool"
    assert not Post.objects.exists()

    # Fix it: untick, declare drafting, the share, the tools and the process.
    page.locator("[data-human-only]").uncheck()
    assert page.locator("[data-field=human_only] .errorlist").count() == 0  # answered by unticking
    page.select_option("select[name=assist_drafting]", "substantial")
    page.fill("input[name=tools]", MODEL)
    page.fill("input[name=ai_share_percent]", "30")
    page.fill("textarea[name=process]", "I asked the model for one paragraph from my notes on what I saw; "
                                        "I wrote the opening and the closing myself and checked its claims.")
    page.locator("[data-preview-body] section.ai-block").wait_for()
    page.locator("h1").scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "editor.png"), full_page=True)
    page.click("form[data-post-form] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/posts/*/")

    post = Post.objects.get()
    assert post.submission.current_revision.body == body
    assert post.submission.status == "published"

    # A reader sees the block collapsed and labelled, and expands it by clicking.
    reader_context = browser.new_context(viewport={"width": 1100, "height": 900})
    reader = reader_context.new_page()
    try:
        login(reader, "reader")
        reader.goto(f"{live_server.url}/posts/{post.public_id}/")
        block = reader.locator(".post__body section.ai-block")
        summary = block.locator("summary")
        assert summary.inner_text() == f"AI-written · {MODEL}"
        assert block.locator("details").get_attribute("open") is None
        assert not block.get_by_text(AI_PARAGRAPH).is_visible()
        summary.click()
        assert block.get_by_text(AI_PARAGRAPH).is_visible()
        assert block.locator("details").get_attribute("open") is not None
        assert reader.get_by_text(OPENING).is_visible()
        assert "AI-assisted" in reader.locator(".post__label").inner_text()
        reader.locator("details.disclosure-panel > summary").click()
        assert reader.get_by_text("I asked the model for one paragraph").is_visible()
        reader.screenshot(path=str(SCREENSHOTS / "post.png"), full_page=True)
    finally:
        reader_context.close()


def test_without_javascript_the_plain_form_still_publishes(browser, live_server, login, forum):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, "author")
        page.goto(f"{live_server.url}/posts/new/")
        assert page.locator("[data-editor-toolbar]").is_hidden()
        assert page.locator("[data-disclosure-details]").is_visible()  # nothing hides them without JS
        page.fill("input[name=title]", "By hand")
        page.fill("textarea[name=body]", "Every word of this was typed by me.")
        page.locator("[data-human-only]").check()
        page.click("form[data-post-form] button[type=submit]")
        page.wait_for_url(f"{live_server.url}/posts/*/")
        assert Post.objects.get().submission.current_revision.disclosure["human_only"] is True
        assert "Human-written" in page.locator(".post__label").inner_text()
    finally:
        context.close()


def body_and_selection(page):
    return page.eval_on_selector("[data-editor-body]", "el => [el.value, el.selectionStart, el.selectionEnd]")


def insert_block(page, model=None):
    page.click("[data-action=ai-block]")
    if model is not None:
        page.fill("[data-model-input]", model)
    page.press("[data-model-input]", "Enter")


def test_the_toolbar_inserts_nests_cancels_and_previews_errors(page, live_server, login, forum):
    csp_errors, script_errors = [], []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    # the browser's own "Failed to load resource: 400" line is the network's; a script's error line is ours
    page.on("console", lambda msg: script_errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    previews = []
    page.on("request", lambda r: previews.append(r) if r.url.endswith("/disclosure/preview/") else None)
    login(page, "author")
    page.goto(f"{live_server.url}/posts/new/")
    textarea = "[data-editor-body]"

    # No selection: an empty block at the cursor, the cursor on its empty line.
    page.fill(textarea, "Before.After.")
    page.eval_on_selector(textarea, "el => { el.focus(); el.setSelectionRange(7, 7); }")
    insert_block(page, 'Model "with" quotes')
    value, start, end = body_and_selection(page)
    assert value == 'Before.\n\n:::ai-written model="Model with quotes"\n\n:::\n\nAfter.'
    assert start == end == value.index("\n\n:::\n") + 1

    # The dialog remembers the last model; Escape cancels and leaves the text alone.
    page.click("[data-action=ai-block]")
    assert page.input_value("[data-model-input]") == "Model with quotes"
    # It is modal: Tab and Shift+Tab go round its three controls (Tab used to walk out into the page).
    assert page.get_attribute("[data-model-dialog]", "aria-modal") == "true"
    focused = lambda: page.evaluate("document.activeElement.textContent || document.activeElement.tagName")  # noqa: E731
    assert [page.keyboard.press("Tab") or focused() for _ in range(3)] == ["Insert section", "Cancel", "INPUT"]
    page.keyboard.press("Shift+Tab")
    assert focused() == "Cancel"
    page.press("[data-model-input]", "Escape")
    assert page.locator("[data-model-dialog]").count() == 0
    assert page.input_value(textarea) == value

    # Wrapping a selection that holds a section gives the new one more colons, as nesting requires.
    page.eval_on_selector(textarea, "el => { el.focus(); el.select(); }")
    insert_block(page, "Outer")
    assert page.input_value(textarea).startswith('::::ai-written model="Outer"\nBefore.')
    assert page.input_value(textarea).endswith("After.\n::::\n")
    page.locator("[data-preview-body] section.ai-block section.ai-block").wait_for()

    # A syntax error shows in the preview with its line.
    page.fill(textarea, "Fine.\n:::\n")
    errors = page.locator("[data-preview-errors]")
    errors.wait_for()
    assert errors.inner_text() == "Line 2: ':::' closes nothing here: no AI-written section is open."
    assert script_errors == []  # a refused body is the preview's answer, not an htmx error
    # The preview is htmx's request (vendored htmx, no CSP violation), not hand-written fetch code.
    assert previews and all(r.headers.get("hx-request") == "true" for r in previews)
    assert csp_errors == []

    # Marked human-written while the body has a section: the warning appears as soon as the section does.
    page.locator("[data-human-only]").check()
    assert page.locator("[data-disclosure-nudge]").is_hidden()
    page.fill(textarea, "Mine.")
    page.eval_on_selector(textarea, "el => { el.focus(); el.select(); }")
    insert_block(page)
    assert "1 AI-written section" in page.locator("[data-disclosure-nudge]").inner_text()


def test_the_model_dialog_says_what_it_does_to_a_screen_reader(page, live_server, login, forum):
    """Reached from the keyboard (Tab to the toolbar's button, Enter), the dialog puts the focus in its field; the
    hint under it (the selection goes inside; the name may stay empty) was shown, but not said: the field had
    its label and nothing else, and the dialog opened on a keyboard user's selection without saying so."""
    login(page, "author")
    page.goto(f"{live_server.url}/posts/new/")
    page.fill("[data-editor-body]", BODY)
    select_text(page, "[data-editor-body]", AI_PARAGRAPH)
    page.keyboard.press("Shift+Tab")
    expect(page.locator("[data-action=ai-block]")).to_be_focused()
    page.keyboard.press("Enter")

    field = page.locator("[data-model-input]")
    expect(field).to_be_focused()
    expect(field).to_have_accessible_name("Which model wrote this text?")
    expect(field).to_have_accessible_description(re.compile("The text you selected goes inside the section"))
    expect(page.locator("[data-model-dialog]")).to_have_accessible_description(
        re.compile("The text you selected goes inside the section"))


def test_html_bodies_get_an_html_section(page, live_server, login, forum):
    login(page, "author")
    page.goto(f"{live_server.url}/posts/new/?format=html")
    textarea = "[data-editor-body]"
    page.fill(textarea, "<p>Mine.</p><p>Theirs & more.</p>")
    select_text(page, textarea, "<p>Theirs & more.</p>")

    insert_block(page, 'A<B> & "C"')

    assert page.input_value(textarea) == ('<p>Mine.</p>\n<section data-ai-written data-model="A&lt;B&gt; &amp; C">\n'
                                          "<p>Theirs & more.</p>\n</section>")
    summary = page.locator("[data-preview-body] section.ai-block summary")
    summary.wait_for()
    assert summary.inner_text() == "AI-written · A<B> & C"


def test_a_paste_far_over_the_limit_is_not_sent_and_stays_in_the_box(page, live_server, login, forum):
    """300,000 CJK characters are 2.7 MB form-encoded, over the server's request size: the page that answers
    such a request cannot give the text back, so the editor keeps it and says why before sending."""
    login(page, "author")
    page.goto(f"{live_server.url}/posts/new/")
    page.fill("[name=title]", "Too long")
    page.locator("[data-human-only]").check()
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" and r.url.endswith("/posts/new/") else None)
    paste = "潮" * 150_000 + "\n" * 10 + "潮" * 149_990  # a line break counts once, as the server counts it
    page.eval_on_selector("[data-editor-body]", """(el, text) => {
        el.value = text; el.dispatchEvent(new Event("input", { bubbles: true })); }""", paste)

    message = page.locator("[data-too-long]")
    expect(message).to_contain_text("300,000 characters; at most 100,000")
    assert page.get_attribute("[data-editor-body]", "aria-invalid") == "true"
    page.click("form[data-post-form] button[type=submit]")

    assert sent == [] and Post.objects.count() == 0
    assert len(page.input_value("[data-editor-body]")) == 300_000
    page.eval_on_selector("[data-editor-body]", """(el) => {
        el.value = el.value.slice(0, 1000); el.dispatchEvent(new Event("input", { bubbles: true })); }""")
    expect(message).to_be_hidden()
    # counted as the server counts: 60,000 emoji are 120,000 UTF-16 units but 60,000 characters, and the
    # white space around the body is not counted
    page.eval_on_selector("[data-editor-body]", """(el) => {
        el.value = "\\n" + "\\u{1F600}".repeat(60000) + " 潮".repeat(19999) + "\\n\\n";
        el.dispatchEvent(new Event("input", { bubbles: true })); }""")
    page.click("form[data-post-form] button[type=submit]")
    expect(message).to_be_hidden()
    assert sent  # sent: it fits


def test_a_refused_post_puts_the_focus_on_its_summary_and_the_warning_is_not_repeated(page, live_server, login,
                                                                                      forum):
    """Focus stayed at the top of the page after a refused submit; and the warning beside "entirely
    human-written", an alert, was written again at every keystroke in the body, so it was read again and again."""
    login(page, "author")
    page.goto(f"{live_server.url}/posts/new/")
    page.fill("[name=title]", "Tide pools")
    page.fill("[data-editor-body]", ':::ai-written model="M"\nTheirs.\n:::\n\nMine.')
    page.locator("[data-human-only]").check()
    nudge = page.locator("[data-disclosure-nudge]")
    expect(nudge).to_be_visible()
    page.evaluate("""() => { window.nudgeWrites = 0; new MutationObserver(() => window.nudgeWrites++).observe(
        document.querySelector("[data-disclosure-nudge]"), { childList: true, characterData: true, subtree: true }); }""")
    page.locator("[data-editor-body]").press_sequentially(" More words of mine.")
    assert page.evaluate("window.nudgeWrites") == 0

    # after "Skip to content" the address ends in #main: the page sent back went there, not to the summary
    page.goto(f"{page.url}#main")
    page.fill("[name=title]", "Tide pools")
    page.fill("[data-editor-body]", ':::ai-written model="M"\nTheirs.\n:::\n\nMine. More words of mine.')
    page.locator("[data-human-only]").check()
    page.click("form[data-post-form] button[type=submit]")

    expect(page.locator("[data-form-summary]")).to_be_focused()


def test_the_human_written_box_stops_saying_invalid_once_the_author_answers_its_error(page, live_server, login,
                                                                                      forum):
    """The server marks "entirely human-written" invalid when the body has an AI-written section. Unticking it
    removed the error text, but the box kept aria-invalid="true" and a description pointing at the removed
    error: a screen reader still said "invalid entry" on the box the author had just fixed."""
    login(page, "author")
    page.goto(f"{live_server.url}/posts/new/")
    page.fill("[name=title]", "Tide pools")
    page.fill("[data-editor-body]", ':::ai-written model="M"\nTheirs.\n:::\n\nMine.')
    page.locator("[data-human-only]").check()
    page.click("form[data-post-form] button[type=submit]")
    expect(page.locator("[data-form-summary]")).to_be_focused()

    box = page.locator("[data-human-only]")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_accessible_description(re.compile("cannot be marked entirely human-written"))

    box.uncheck()
    assert box.get_attribute("aria-invalid") != "true"
    expect(box).to_have_accessible_description("")
    ids = (box.get_attribute("aria-describedby") or "").split()
    assert all(page.locator(f"#{i}").count() == 1 for i in ids), ids

    # ticked again, the live warning says it (and the box is described by it), as before any submit
    box.check()
    expect(box).to_have_accessible_description(re.compile("cannot be marked entirely human-written"))
