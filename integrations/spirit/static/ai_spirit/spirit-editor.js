/*
 * Fits Spirit's comment editor to the plugin's editor script (disclosure/editor.js, loaded right after this
 * one): marks the hooks that script looks for and puts the "AI-written section" button in Spirit's toolbar.
 * Spirit's templates stay as they are; without JavaScript the disclosure form still works on its own.
 */
(function () {
  "use strict";

  function fit(form) {
    var textarea = form.querySelector("textarea[name=comment]");
    var toolbar = form.querySelector(".comment__reply__actions__list");
    if (!textarea || !toolbar || form.querySelector("[data-editor]")) { return; }
    // The editor script wants one element holding the toolbar, the textarea and the preview (not the form
    // itself): wrap the form's children, moving (not copying) them so Spirit's own handlers stay attached.
    var wrapper = document.createElement("div");
    wrapper.setAttribute("data-editor", "");
    var preview = form.querySelector("[data-editor-preview]");
    if (preview) { wrapper.setAttribute("data-preview-url", preview.getAttribute("data-preview-url")); }
    while (form.firstChild) { wrapper.appendChild(form.firstChild); }
    form.appendChild(wrapper);
    textarea.setAttribute("data-editor-body", "");
    toolbar.setAttribute("data-editor-toolbar", "");
    var item = document.createElement("li");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "ai-spirit-block-button";
    button.setAttribute("data-action", "ai-block");
    button.title = "Wrap the selection in an AI-written section";
    button.textContent = "AI-written section";
    item.appendChild(button);
    toolbar.appendChild(item);
  }

  document.querySelectorAll("form.js-reply").forEach(fit);
}());
