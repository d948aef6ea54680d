/*
 * The post editor's progressive enhancement (no inline scripts: CSP is script-src 'self').
 *
 * Without this file the page is a plain form that works on its own. With it:
 *  - the toolbar appears; "AI-written section" wraps the selection (or inserts an empty block at the
 *    cursor) in :::ai-written model="…" … ::: (Markdown) or <section data-ai-written data-model="…"> (HTML),
 *    after asking for the model in a small dialog inside the page; the last model is remembered;
 *  - a live preview renders the body with the same server-side renderer readers get, and shows block
 *    syntax errors with their line;
 *  - ticking "This post is entirely human-written" hides the other disclosure fields and disables them
 *    (so they are not submitted, but what the author typed stays), unticking brings them back;
 *  - a warning appears right away when the body has AI-written sections and the post is marked human-written;
 *  - a body over the form's limit (data-max-length on [data-editor-body]) is not sent: the author is told, and
 *    the text stays in the box (a paste far over the limit could exceed the server's request size, and the
 *    page that answers it cannot give the text back).
 *
 * Hooks (data attributes, so host templates can restyle freely): [data-editor] with data-preview-url,
 * [data-editor-toolbar], [data-action=ai-block], [data-editor-body], [data-editor-preview],
 * [data-preview-body], [data-disclosure-form], [data-human-only], [data-disclosure-details],
 * [data-disclosure-nudge], [data-form-summary]. The editor may be the <form> itself; a host whose toolbar it does not own names it
 * with data-editor-toolbar-selector on the editor (a CSS selector inside it) instead of [data-editor-toolbar],
 * and may put data-preview-url on [data-editor-preview] instead.
 */
(function () {
  "use strict";

  var MODEL_KEY = "disclosure.lastModel";

  // Translations: Django's JavaScript catalogue (disclosure:jsi18n), when the page loads it before this file;
  // English otherwise.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (singular, plural, n) { return n === 1 ? singular : plural; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(([a-z_]+)\)s/g, function (match, name) { return values[name]; });
  };
  var PREVIEW_DELAY_MS = 400;

  function rememberedModel() {
    try { return window.localStorage.getItem(MODEL_KEY) || ""; } catch (e) { return ""; }
  }

  function rememberModel(model) {
    try { window.localStorage.setItem(MODEL_KEY, model); } catch (e) { /* private mode: fine */ }
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  /* --- Wrapping text in an AI-written section -------------------------------------------------- */

  // The parser reads model="…" up to the next double quote: keep the name on one line, without quotes.
  function cleanModel(model) {
    return model.replace(/["\r\n]+/g, " ").replace(/\s+/g, " ").trim().slice(0, 200);
  }

  function escapeAttribute(value) {
    return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // A section wrapped around existing ones needs more colons than any of them (the parser's nesting rule).
  function colonsFor(selected) {
    var most = 2;
    var re = /^ {0,3}(:{3,})\s*ai-written\b/gm;
    var match;
    while ((match = re.exec(selected)) !== null) { most = Math.max(most, match[1].length); }
    return ":".repeat(most + 1);
  }

  /**
   * The text that replaces value[start:end], and where the wrapped text sits inside it, so the caller can
   * select it again (or put the cursor on the empty line of a new block).
   */
  function wrapping(value, start, end, model, format) {
    var selected = value.slice(start, end);
    var before = value.slice(0, start);
    var after = value.slice(end);
    var opener, closer, lead = "", trail = "";
    if (format === "html") {
      opener = "<section data-ai-written" + (model ? ' data-model="' + escapeAttribute(model) + '"' : "") + ">\n";
      closer = "\n</section>";
      if (before && !/\n$/.test(before)) { lead = "\n"; }
      if (after && !/^\n/.test(after)) { trail = "\n"; }
    } else {
      var colons = colonsFor(selected);
      opener = colons + "ai-written" + (model ? ' model="' + model + '"' : "") + "\n";
      closer = "\n" + colons;
      // Directive lines stand on their own lines, with a blank line around the block for readability.
      if (before) { lead = /\n\n$/.test(before) ? "" : (/\n$/.test(before) ? "\n" : "\n\n"); }
      if (after) { trail = /^\n\n/.test(after) ? "" : (/^\n/.test(after) ? "\n" : "\n\n"); } else { trail = "\n"; }
    }
    var inner = selected.replace(/^\n+|\n+$/g, "");
    var text = lead + opener + inner + closer + trail;
    var innerStart = start + lead.length + opener.length;
    return { text: text, selectStart: innerStart, selectEnd: innerStart + inner.length };
  }

  function replaceRange(textarea, start, end, text) {
    textarea.focus();
    textarea.setSelectionRange(start, end);
    // execCommand keeps the browser's undo history; setRangeText is the standard fallback.
    var done = false;
    try { done = document.execCommand && document.execCommand("insertText", false, text); } catch (e) { done = false; }
    if (!done) {
      textarea.setRangeText(text, start, end, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  /* --- The model dialog (inside the page, not window.prompt) ----------------------------------- */

  function modelDialog(editor, onDone) {
    // the hint is said with the dialog and with its field, not only shown under them
    var dialog = el("div", { "class": "editor__dialog", role: "dialog", "aria-modal": "true",
                             "aria-label": gettext("AI-written section"), "aria-describedby": "ai-block-model-hint",
                             "data-model-dialog": "" });
    var label = el("label", { "for": "ai-block-model" }, gettext("Which model wrote this text?"));
    var input = el("input", { type: "text", id: "ai-block-model", maxlength: "200",
                              placeholder: gettext("e.g. Claude Opus 4.5"), autocomplete: "off", "aria-describedby": "ai-block-model-hint",
                              "data-model-input": "" });
    input.value = rememberedModel();
    var insert = el("button", { type: "button", "class": "primary", "data-model-insert": "" }, gettext("Insert section"));
    var cancel = el("button", { type: "button", "data-model-cancel": "" }, gettext("Cancel"));
    var hint = el("small", { "class": "help", id: "ai-block-model-hint" }, gettext(
      "The text you selected goes inside the section; leave the name empty if you do not know the model."));
    dialog.append(label, input, insert, cancel, hint);

    function close(model) {
      dialog.remove();
      document.removeEventListener("keydown", onKey, true);
      onDone(model);
    }
    function submit() { close(cleanModel(input.value)); }
    function onKey(event) {
      if (!dialog.isConnected) { return; }
      if (event.key === "Escape") { event.preventDefault(); close(null); return; }
      if (event.key === "Tab") {  // a modal dialog keeps the focus until it is closed: Tab goes round inside it
        var stops = [input, insert, cancel];
        var at = stops.indexOf(document.activeElement);
        var next = event.shiftKey ? (at <= 0 ? stops.length - 1 : at - 1) : (at === -1 || at === stops.length - 1 ? 0 : at + 1);
        event.preventDefault();
        stops[next].focus();
      }
    }
    input.addEventListener("keydown", function (event) {
      // Enter must not submit the post form.
      if (event.key === "Enter") { event.preventDefault(); submit(); }
    });
    insert.addEventListener("click", submit);
    cancel.addEventListener("click", function () { close(null); });
    document.addEventListener("keydown", onKey, true);
    toolbarOf(editor).after(dialog);
    input.focus();
    input.select();
    return dialog;
  }

  /* --- Live preview -------------------------------------------------------------------------- */

  function toolbarOf(editor) {
    return editor.querySelector(editor.getAttribute("data-editor-toolbar-selector") || "[data-editor-toolbar]");
  }

  function csrfToken(form) {
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  /* htmx posts the body (with the form's format and CSRF token) to the preview endpoint and swaps the
   * sanitised HTML in; hx-sync drops an answer a newer keystroke has overtaken. Without htmx on the page
   * there is no live preview (the form still works), and the console says so once: a host that forgot
   * {% include "disclosure/htmx.html" %} otherwise saw nothing at all. */

  var warnedNoHtmx = false;

  function setupPreview(editor, textarea, form, format, onBlocks) {
    var section = editor.querySelector("[data-editor-preview]");
    var url = editor.getAttribute("data-preview-url") || (section && section.getAttribute("data-preview-url"));
    var target = editor.querySelector("[data-preview-body]");
    if (!url || !section || !target) { return function () {}; }
    if (!window.htmx) {
      if (!warnedNoHtmx && window.console) {
        warnedNoHtmx = true;
        window.console.warn("disclosure/editor.js: no live preview, because htmx is not on this page. " +
          "Put {% include \"disclosure/htmx.html\" %} in the page's <head> (before this script).");
      }
      return function () {};
    }
    var errors = el("ul", { "class": "errorlist editor__preview-errors", role: "alert", "data-preview-errors": "" });
    errors.hidden = true;
    target.before(errors);

    function showErrors(list) {
      errors.textContent = "";
      list.forEach(function (error) {
        var text = error.message || gettext("This body cannot be parsed.");
        if (error.line && text.indexOf("line " + error.line) === -1 && text.indexOf("Line " + error.line) === -1) {
          text = interpolate(gettext("Line %(line)s: %(message)s"), { line: error.line, message: text }, true);
        }
        errors.append(el("li", {}, text));
      });
      errors.hidden = list.length === 0;
      section.classList.toggle("editor__preview--invalid", list.length > 0);
    }

    target.setAttribute("hx-post", url);
    target.setAttribute("hx-trigger", "editor-preview delay:" + PREVIEW_DELAY_MS + "ms, editor-preview-now");
    target.setAttribute("hx-swap", "innerHTML");
    target.setAttribute("hx-sync", "this:replace");
    target.setAttribute("hx-params", "body,format,csrfmiddlewaretoken");
    // A host's text box may have another name (Spirit's is "comment"): the preview reads "body".
    target.addEventListener("htmx:configRequest", function (event) {
      if (textarea.name !== "body") { event.detail.parameters.body = textarea.value; }
    });
    target.addEventListener("htmx:beforeRequest", function () {
      section.hidden = false;
      section.setAttribute("aria-busy", "true");
    });
    target.addEventListener("htmx:beforeSwap", function (event) {
      var xhr = event.detail.xhr;
      if (xhr.status === 200) {
        showErrors([]);
        var blocks = parseInt(xhr.getResponseHeader("X-AI-Blocks") || "", 10);
        if (!isNaN(blocks)) { onBlocks(blocks); }
        return;
      }
      event.detail.shouldSwap = false;  // the preview keeps its last good rendering
      var payload = null;
      try { payload = JSON.parse(xhr.responseText); } catch (e) { payload = null; }
      var refused = xhr.status === 400 && payload && payload.errors;
      // a body with a mistake is the preview doing its job, shown next to it: not an error for htmx to log
      if (refused) { event.detail.isError = false; }
      showErrors(refused ? payload.errors
        : [{ message: interpolate(gettext("The preview is unavailable right now (HTTP %(status)s)."),
                                  { status: xhr.status }, true) }]);
    });
    target.addEventListener("htmx:sendError", function () {
      showErrors([{ message: gettext("The preview is unavailable right now.") }]);
    });
    target.addEventListener("htmx:afterRequest", function () { section.removeAttribute("aria-busy"); });
    window.htmx.process(target);

    function schedule() { window.htmx.trigger(target, "editor-preview"); }
    textarea.addEventListener("input", schedule);
    if (textarea.value.trim()) { window.htmx.trigger(target, "editor-preview-now"); }
    return schedule;
  }

  /* --- The disclosure form -------------------------------------------------------------------- */

  var AI_BLOCK_PATTERNS = {
    markdown: /^ {0,3}(?::{3,}\s*ai-written\b|%%%\s*llm-output\b)/gm,
    html: /<section\b[^>]*\bdata-ai-written\b|<div\b[^>]*\bclass\s*=\s*["'][^"']*\bllm-content-block\b(?!-)/gi
  };

  function countBlocks(body, format) {
    var pattern = AI_BLOCK_PATTERNS[format] || AI_BLOCK_PATTERNS.markdown;
    var matches = body.match(pattern);
    return matches ? matches.length : 0;
  }

  // Add or remove one id in an element's aria-describedby, keeping the others (a server error's).
  function describeBy(element, id, on) {
    if (!id) { return; }
    var ids = (element.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== id; });
    if (on) { ids.push(id); }
    if (ids.length) { element.setAttribute("aria-describedby", ids.join(" ")); } else { element.removeAttribute("aria-describedby"); }
  }

  function setupDisclosure(fieldset, bodyBlocks) {
    var humanOnly = fieldset.querySelector("[data-human-only]");
    var details = fieldset.querySelector("[data-disclosure-details]");
    var nudge = fieldset.querySelector("[data-disclosure-nudge]");
    if (!humanOnly || !details) { return function () {}; }

    if (details.id) { humanOnly.setAttribute("aria-controls", details.id); }
    function sync() {
      var human = humanOnly.checked;
      details.hidden = human;
      // the box shows and hides the questions below it: a screen reader says whether they are shown
      humanOnly.setAttribute("aria-expanded", human ? "false" : "true");
      // Disabled controls are not submitted, and keep what the author typed for when they untick.
      details.querySelectorAll("input, select, textarea").forEach(function (control) { control.disabled = human; });
      if (nudge) {
        var count = bodyBlocks();
        var row = humanOnly.closest("[data-field]");
        var serverSaidSo = row && row.querySelector(".errorlist");  // the same message, from the server
        var show = human && count > 0 && !serverSaidSo;
        nudge.hidden = !show;
        var text = show ? interpolate(ngettext(
          "Your post contains %(count)s AI-written section, so it cannot be marked entirely human-written. " +
          "Untick the box and say how AI helped, or remove the section.",
          "Your post contains %(count)s AI-written sections, so it cannot be marked entirely human-written. " +
          "Untick the box and say how AI helped, or remove the sections.", count), { count: count }, true) : "";
        // an alert is read whenever it is written: only when it says something new, not at every keystroke
        if (nudge.textContent !== text) { nudge.textContent = text; }
        describeBy(humanOnly, nudge.id, show);  // and the box says it again whenever it has the focus
      }
      syncReview();
    }
    var review = fieldset.querySelector("[data-human-review]");
    var gradeData = document.getElementById("disclosure-grade-table");
    var grades = gradeData ? JSON.parse(gradeData.textContent) : null;

    // The same derivation as disclosure/grades.py: the highest grade any declared item reaches.
    function labelRequired() {
      if (!grades || humanOnly.checked) { return false; }
      var rank = 0;
      function raise(grade) { rank = Math.max(rank, grades.order.indexOf(grade)); }
      Object.keys(grades.table).forEach(function (kind) {
        var select = fieldset.querySelector("[name=assist_" + kind + "]");
        if (select && select.value) { raise(grades.table[kind][select.value]); }
      });
      var share = fieldset.querySelector("[name=ai_share_percent]");
      if (share && Number(share.value) >= grades.generated_share) { raise("ai_generated"); }
      if (bodyBlocks() > 0) { raise("ai_assisted"); }
      return grades.label_required.indexOf(grades.order[rank]) !== -1;
    }

    function syncReview() {
      if (!review) { return; }
      review.hidden = !labelRequired() && !review.querySelector(".errorlist");
    }
    // A kind's "what exactly?" box appears once that kind is chosen (or when it already holds text).
    function syncKindDetails() {
      fieldset.querySelectorAll("[data-kind-details]").forEach(function (box) {
        var input = box.querySelector("[name$=_details]");
        var select = input && fieldset.querySelector("[name=" + input.name.replace(/_details$/, "") + "]");
        // hide the label with the box, so a screen reader meets no label without a control
        box.hidden = !!select && !select.value && !input.value && !box.querySelector(".errorlist");
      });
    }
    fieldset.addEventListener("change", syncReview);
    fieldset.addEventListener("input", syncReview);
    fieldset.addEventListener("change", syncKindDetails);
    syncKindDetails();

    humanOnly.addEventListener("change", function () {
      // The server's complaint about this box is answered by changing it; the live warning takes over.
      var row = humanOnly.closest("[data-field]");
      var stale = row && row.querySelector(".errorlist");
      if (stale) {
        // and the box no longer says it is invalid, nor points at the error it no longer has
        if (stale.id) { describeBy(humanOnly, stale.id, false); }
        humanOnly.removeAttribute("aria-invalid");
        stale.remove();
      }
      sync();
    });
    sync();
    return sync;
  }

  /* --- Wiring --------------------------------------------------------------------------------- */

  function setupEditor(editor) {
    var form = editor.closest("form");
    var textarea = editor.querySelector("[data-editor-body]");
    var toolbar = toolbarOf(editor);
    if (!textarea || !toolbar) { return; }
    var formatInput = form && form.querySelector("[name=format]");
    function format() { return (formatInput && formatInput.value) || "markdown"; }
    var serverBlocks = null;

    var fieldset = form && form.querySelector("[data-disclosure-form]");
    var syncDisclosure = fieldset ? setupDisclosure(fieldset, function () {
      return Math.max(countBlocks(textarea.value, format()), serverBlocks || 0);
    }) : function () {};
    var schedulePreview = setupPreview(editor, textarea, form, format, function (count) {
      serverBlocks = count;
      syncDisclosure();
    });
    textarea.addEventListener("input", function () { serverBlocks = null; syncDisclosure(); });
    if (form) { guardLength(form, textarea); }

    toolbar.hidden = false;
    var button = toolbar.querySelector("[data-action=ai-block]");
    if (!button) { return; }
    var open = null;
    button.addEventListener("click", function () {
      if (open && open.isConnected) { open.querySelector("input").focus(); return; }
      var start = textarea.selectionStart;
      var end = textarea.selectionEnd;
      button.setAttribute("aria-expanded", "true");
      open = modelDialog(editor, function (model) {
        button.setAttribute("aria-expanded", "false");
        open = null;
        if (model === null) { textarea.focus(); textarea.setSelectionRange(start, end); return; }
        if (model) { rememberModel(model); }
        var result = wrapping(textarea.value, start, end, model, format());
        replaceRange(textarea, start, end, result.text);
        textarea.setSelectionRange(result.selectStart, result.selectEnd);
        syncDisclosure();
        schedulePreview();
      });
    });
  }

  /* --- The length limit, before sending ----------------------------------------------------- */

  // Characters as the server counts them: code points, line breaks as one (browsers send CRLF; the form reads
  // LF), leading and trailing white space left out (the form strips it before counting).
  function characters(text) {
    var body = text.trim();
    return body.length - (body.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g) || []).length;
  }

  function guardLength(form, textarea) {
    var limit = parseInt(textarea.getAttribute("data-max-length") || "", 10);
    if (!limit) { return; }
    // polite: read when the author pauses, not at every keystroke while the count changes
    var message = el("p", { "class": "errorlist editor__too-long", role: "status", "aria-live": "polite",
                            id: (textarea.id || "editor-body") + "-too-long", "data-too-long": "" });
    message.hidden = true;
    textarea.insertAdjacentElement("afterend", message);
    var locale = document.documentElement.lang || undefined;  // the page's language, not the browser's
    function over() {
      var count = characters(textarea.value);
      message.hidden = count <= limit;
      message.textContent = message.hidden ? "" : interpolate(gettext(
        "This post has %(count)s characters; at most %(limit)s are accepted. Shorten it here: it is not sent " +
        "until it fits."), { count: count.toLocaleString(locale), limit: limit.toLocaleString(locale) }, true);
      if (message.hidden) {
        textarea.removeAttribute("aria-invalid");
      } else {
        textarea.setAttribute("aria-invalid", "true");
        textarea.setAttribute("aria-describedby",
          ((textarea.getAttribute("aria-describedby") || "").replace(message.id, "") + " " + message.id).trim());
      }
      return !message.hidden;
    }
    form.addEventListener("submit", function (event) {
      if (over()) { event.preventDefault(); textarea.focus(); }
    });
    textarea.addEventListener("input", function () {  // .length >= characters(): a cheap first test
      if (!message.hidden || textarea.value.length > limit) { over(); }
    });
  }

  function init() {
    // A form sent back with errors: its summary ([data-form-summary]) takes the focus, so it is read first and
    // the next Tab leads into the form (focus was left at the top of the page).
    var summary = document.querySelector("[data-form-summary]");
    if (summary) { summary.setAttribute("tabindex", "-1"); summary.focus(); }
    document.querySelectorAll("[data-editor]").forEach(setupEditor);
    // A disclosure form without an editor on the page (e.g. a host's own template) still gets the toggle.
    document.querySelectorAll("[data-disclosure-form]").forEach(function (fieldset) {
      var form = fieldset.closest("form");
      if (!form || !(form.matches("[data-editor]") || form.querySelector("[data-editor]"))) { setupDisclosure(fieldset, function () { return 0; }); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }

  // Exposed for tests and for hosts that build their own toolbar.
  window.aiDisclosureEditor = { wrapping: wrapping, countBlocks: countBlocks, cleanModel: cleanModel };
}());
