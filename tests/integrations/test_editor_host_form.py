"""disclosure/editor.js in a host's own markup (gap 6 of docs/integrations/spirit.md): the host's <form> itself is
the editor, and its toolbar, which the host generates, is named by a CSS selector. Headless Chromium on a static
page with the shipped script; no server needed, since nothing here calls one."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

EDITOR_JS = Path(__file__).resolve().parents[2] / "disclosure" / "static" / "disclosure" / "editor.js"

HOST_FORM = """<!doctype html><html><body>
<form class="host-reply" data-editor data-editor-toolbar-selector=".host-toolbar">
  <ul class="host-toolbar"><li><button type="button">Bold</button></li>
    <li><button type="button" data-action="ai-block">AI-written section</button></li></ul>
  <textarea name="comment" data-editor-body>First line.
Text from the model.</textarea>
  <fieldset data-disclosure-form><label><input type="checkbox" name="human_only" data-human-only checked>
    Entirely human-written</label>
    <div data-disclosure-details><input name="tools" value="Claude"></div></fieldset>
  <button type="submit">Post</button>
</form></body></html>"""


def test_the_form_itself_is_the_editor_and_its_toolbar_is_found_by_selector(page):
    page.set_content(HOST_FORM)
    page.add_script_tag(path=str(EDITOR_JS))
    # Select the second line and wrap it with the host's own toolbar button.
    page.evaluate("""() => { const t = document.querySelector('textarea');
                            t.focus(); t.setSelectionRange(12, t.value.length); }""")
    page.click("[data-action=ai-block]")
    dialog = page.locator("[data-model-dialog]")
    expect(dialog).to_be_visible()
    # The dialog opens right after the host's toolbar, inside the form.
    assert page.evaluate("() => document.querySelector('.host-toolbar').nextElementSibling.hasAttribute("
                         "'data-model-dialog')")
    page.fill("[data-model-input]", "Claude Opus 4.5")
    page.click("[data-model-insert]")
    assert page.input_value("textarea") == ('First line.\n\n:::ai-written model="Claude Opus 4.5"\n'
                                            "Text from the model.\n:::\n")
    # The disclosure toggle is set up once (the form is the editor): ticked "human-written" disables the rest.
    assert page.is_disabled("[name=tools]")
    page.uncheck("[data-human-only]")
    assert page.is_enabled("[name=tools]")


PREVIEWED_FORM = """<!doctype html><html><body>
<form data-editor data-preview-url="/disclosure/preview/">
  <div data-editor-toolbar><button type="button" data-action="ai-block">AI-written section</button></div>
  <textarea name="body" data-editor-body>Text.</textarea>
  <section data-editor-preview hidden><div data-preview-body></div></section>
</form>
<form data-editor data-preview-url="/disclosure/preview/">
  <textarea name="body" data-editor-body>Another.</textarea>
  <section data-editor-preview hidden><div data-preview-body></div></section>
</form></body></html>"""


def test_a_page_with_a_preview_but_without_htmx_says_so_once_in_the_console(page):
    """The live preview needs htmx (disclosure/htmx.html); without it the editor skipped the preview silently."""
    warnings = []
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
    page.set_content(PREVIEWED_FORM)
    page.add_script_tag(path=str(EDITOR_JS))
    page.fill("textarea >> nth=0", "Typed.")
    expect(page.locator("[data-action=ai-block]")).to_be_visible()  # the rest of the editor still works
    assert len(warnings) == 1  # two editors, one warning
    assert "htmx" in warnings[0] and 'disclosure/htmx.html' in warnings[0]


def test_a_page_without_a_preview_gets_no_warning(page):
    warnings = []
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
    page.set_content(HOST_FORM)
    page.add_script_tag(path=str(EDITOR_JS))
    expect(page.locator("[data-action=ai-block]")).to_be_visible()
    assert warnings == []
