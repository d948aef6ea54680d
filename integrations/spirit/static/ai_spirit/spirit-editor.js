/*
 * Fits Spirit's comment editor to the plugin's editor script (disclosure/editor.js, loaded right after this
 * one). Spirit's form is the editor (data-editor on the form itself), its own toolbar is named by selector
 * (data-editor-toolbar-selector), and the "AI-written section" button is added to that toolbar as one more
 * list item. The preview's URL is on the plugin's preview section (templates/spirit/comment/_editor_preview.html).
 * Spirit's templates stay as they are; without JavaScript the disclosure form still works on its own.
 */
(function () {
  "use strict";

  var TOOLBAR = ".comment__reply__actions__list";
  // the plugin's JavaScript catalogue (disclosure:jsi18n, loaded first by _base.html): German forums got an
  // English button (found by review)
  var gettext = window.gettext || function (text) { return text; };

  function fit(form) {
    var textarea = form.querySelector("textarea[name=comment]");
    var toolbar = form.querySelector(TOOLBAR);
    if (!textarea || !toolbar || form.hasAttribute("data-editor")) { return; }
    // a private conversation carries no disclosure form: no AI-written section button either
    if (!form.querySelector("[data-disclosure-form]")) { return; }
    form.setAttribute("data-editor", "");
    form.setAttribute("data-editor-toolbar-selector", TOOLBAR);
    textarea.setAttribute("data-editor-body", "");
    var item = document.createElement("li");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "ai-spirit-block-button";
    button.setAttribute("data-action", "ai-block");
    button.title = gettext("Wrap the selection in an AI-written section");
    button.textContent = gettext("AI-written section");
    item.appendChild(button);
    toolbar.appendChild(item);
  }

  document.querySelectorAll("form.js-reply").forEach(fit);
}());
