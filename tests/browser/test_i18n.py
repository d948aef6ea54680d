"""German in a real browser: a moderator picks Deutsch in the language switch, then triages the queue with
the keyboard (htmx answers in German too), opens the editor (the toolbar, the live preview and the recorder's status line work) and reads
a post's label and EU mark in German. No CSP violation on the way."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_moderation_queue import queue  # noqa: F401  (the fixture: two queued posts)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_label_and_queue_in_german(page, live_server, login, queue):  # noqa: F811
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    login(page, "moderator")
    page.select_option("[data-language-switch] select", "de")
    page.click("[data-language-switch] button")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator(".site-header")).to_contain_text("Prüfwarteschlange")

    # The queue, triaged from the keyboard: the row htmx swaps in is German as well.
    page.goto(f"{live_server.url}/moderation/?sort=priority")
    expect(page.locator("h1")).to_have_text("Prüfwarteschlange")
    rows = page.locator(".mod-queue__row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("button[data-key=a]")).to_have_text("Freigeben")
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(rows.nth(0).locator(".mod-queue__status")).to_have_text("Entschieden: Freigeben")
    expect(page.locator("#mod-live")).to_contain_text("Freigegeben.")

    # The editor: German labels, and the script's toolbar and htmx preview still work.
    page.goto(f"{live_server.url}/posts/new/")
    expect(page.locator("h1")).to_have_text("Neuer Beitrag")
    expect(page.locator("[data-action=ai-block]")).to_have_text("KI-geschriebener Abschnitt")
    expect(page.locator("[data-disclosure-form] legend").first).to_have_text("KI-Unterstützung")
    page.click("[data-action=ai-block]")  # the script's own strings come from Django's JavaScript catalogue
    expect(page.locator("[data-model-dialog] label")).to_have_text("Welches Modell hat diesen Text geschrieben?")
    page.click("[data-model-cancel]")
    page.fill("[data-editor-body]", ':::ai-written model="Llama"\nEin Absatz vom Modell.\n:::\n')
    page.locator("[data-preview-body] section.ai-block").wait_for()
    # The recorder's status line: an editor tool records its help, the page says so in German.
    page.evaluate("""() => window.aiDisclosureRecorder.record(
        {kind: "translation", extent: "substantial", tool: "DeepL"})""")
    expect(page.locator("[data-recorder-status]")).to_have_text(
        "Aufgezeichnet: Übersetzung (erheblich) mit DeepL. Ihre Offenlegung sollte das angeben.")
    # A body over the limit: said in German, with the page's number format (300.000, not 300,000).
    page.eval_on_selector("[data-editor-body]", """(el) => {
        el.value = "a".repeat(300000); el.dispatchEvent(new Event("input", { bubbles: true })); }""")
    expect(page.locator("[data-too-long]")).to_have_text(
        "Dieser Beitrag hat 300.000 Zeichen; höchstens 100.000 sind erlaubt. Kürzen Sie ihn hier: Er wird erst "
        "gesendet, wenn er passt.")

    # A post's label and EU mark.
    page.goto(f"{live_server.url}/posts/{queue['mostly_ai'].public_id}/")
    expect(page.locator(".post__label")).to_contain_text("Überwiegend KI-geschrieben")
    expect(page.locator(".eu-label__sentence")).to_have_text("Der größte Teil dieses Textes wurde von KI generiert.")
    assert csp_errors == []
