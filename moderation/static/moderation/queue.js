/* Keyboard triage for the moderator queue (no inline scripts: CSP script-src 'self').
 * List:   j/k move the selection, Enter or o opens, x ticks the row for bulk actions; a approves, c claims
 *         and s snoozes the selected row in place (its htmx button; a conflict is shown, not hidden), r opens
 *         it at the reason field (a rejection needs a reason).
 * Detail: j/k next/previous item, a approve, r reject (first press focuses the reason when none is
 *         chosen), s snooze, c claim. Keys are ignored while typing in a field, and on a link, button or
 *         summary, whose own Enter must follow it (Enter on the audit log link opened the selected item) and
 *         where a letter must not decide anything.
 * The shortcuts can be switched off (WCAG 2.1.4, character key shortcuts): the checkbox in the moderation
 * menu, remembered in this browser (localStorage). */
(function () {
  "use strict";

  var STORE = "moderation.shortcuts";
  var shortcutsOn = true;
  try { shortcutsOn = window.localStorage.getItem(STORE) !== "off"; } catch (e) { /* storage refused: on */ }
  var toggle = document.querySelector("[data-shortcuts-toggle]");
  var help = document.querySelector("[data-shortcuts-help]");
  function showShortcuts() {
    if (toggle) toggle.checked = shortcutsOn;
    if (help) help.hidden = !shortcutsOn;
  }
  if (toggle) {
    toggle.closest("label").hidden = false;
    showShortcuts();
    toggle.addEventListener("change", function () {
      shortcutsOn = toggle.checked;
      try { window.localStorage.setItem(STORE, shortcutsOn ? "on" : "off"); } catch (e) { /* this page only */ }
      showShortcuts();
    });
  }

  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  // Focus on a control of its own: its keys are its own (the row itself, or the page, is where shortcuts act).
  function onControl(target) {
    return !!(target && target.closest && target.closest("a[href], button, summary, [role=button], [role=link]"));
  }

  function submitForm(form, button) {
    if (!form) return;
    if (form.requestSubmit) { form.requestSubmit(button || undefined); } else { form.submit(); }
  }

  var rows = Array.prototype.slice.call(document.querySelectorAll(".mod-queue__row"));
  var current = -1;

  function select(index) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) {
      row.classList.toggle("mod-queue__row--selected", i === current);
      if (i === current) { row.setAttribute("aria-current", "true"); } else { row.removeAttribute("aria-current"); }
    });
    rows[current].focus();
    rows[current].scrollIntoView({ block: "nearest" });
  }

  /* Row actions (a approve, c claim, s snooze) press the row's own button: htmx posts it and swaps the answer
   * in place of the row, announcing the outcome in #mod-live (or the refusal, e.g. a conflict, leaving the row
   * as it was). Without JavaScript the same buttons submit the page's form. */
  var pending = null;

  function rowAction(index, key) {
    var button = rows[index].querySelector("button[data-key='" + key + "']");
    if (!button) return false;
    pending = { index: index, key: key };
    button.click();
    return true;
  }

  // A row drawn again after its action (c claims it, s snoozes it) keeps the tick it had for a bulk action.
  var ticked = null;
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    var box = target && target.classList && target.classList.contains("mod-queue__row") &&
      target.querySelector("input[type=checkbox][name=items]");
    ticked = box ? box.checked : null;
  });

  // In the same task as the swap (afterSettle would come later and race the next key press): a new row means
  // the action went through, #mod-live swapped with an error status that it was refused. The status, not the
  // line's class: until htmx settles, a swapped element still carries the classes of the one it replaced, so
  // a success after a refusal read as a refusal and took the next row's pending action.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var swapped = event.target;
    var isRow = swapped.classList && swapped.classList.contains("mod-queue__row");
    if (isRow && ticked) {
      var box = swapped.querySelector("input[type=checkbox][name=items]");
      if (box) box.checked = true;
    }
    if (isRow) ticked = null;
    var xhr = event.detail && event.detail.xhr;
    var refused = swapped.id === "mod-live" && !!xhr && xhr.status >= 400;
    if (!isRow && !refused) return;
    rows = Array.prototype.slice.call(document.querySelectorAll(".mod-queue__row"));
    if (!pending) {
      // the row's own button was pressed: it is gone with the old row, so focus the row drawn in its place
      var active = document.activeElement;
      if (isRow && (!active || active === document.body)) select(rows.indexOf(swapped));
      return;
    }
    var done = pending;
    pending = null;
    if (isRow) select(done.key === "c" ? done.index : done.index + 1);
  });

  function onList(key) {
    if (key === "j") { select(current + 1); return true; }
    if (key === "k") { select(current - 1); return true; }
    if ((key === "Enter" || key === "o") && current >= 0) { window.location.href = rows[current].dataset.href; return true; }
    if ((key === "a" || key === "c" || key === "s") && current >= 0) { return rowAction(current, key); }
    if (key === "r" && current >= 0) { window.location.href = rows[current].dataset.href + "#decision-form"; return true; }
    if (key === "x" && current >= 0) {
      var box = rows[current].querySelector("input[type=checkbox]");
      if (box) box.checked = !box.checked;
      return true;
    }
    return false;
  }

  function onDetail(key) {
    var link;
    if (key === "j") { link = document.querySelector("[data-key-next]"); if (link) window.location.href = link.href; return !!link; }
    if (key === "k") { link = document.querySelector("[data-key-prev]"); if (link) window.location.href = link.href; return !!link; }
    if (key === "a" || key === "s" || key === "c") {
      // Approve is a button of the decision form (its note goes with the approval); claim and snooze are forms
      var found = document.querySelector("[data-key='" + key + "']");
      if (!found) return false;
      if (found.tagName === "FORM") { submitForm(found); } else { submitForm(found.form, found); }
      return true;
    }
    if (key === "r") {
      var decision = document.getElementById("decision-form");
      if (!decision) return false;
      var reason = decision.querySelector("select[name=template]");
      var note = decision.querySelector("textarea[name=message]");
      if (reason && !reason.value && !(note && note.value.trim())) { reason.focus(); return true; }
      submitForm(decision, decision.querySelector("[data-key='r']"));
      return true;
    }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (!shortcutsOn || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      // Escape leaves the field for the shortcuts: the focus goes to the selected row (or the field's row) or,
      // with none, to the page's main region, not to <body>, where a screen reader loses its place
      if (event.key === "Escape") {
        var place = (current >= 0 && rows[current]) || (event.target.closest && event.target.closest(".mod-queue__row"))
          || document.getElementById("main");
        if (place) { place.focus(); } else { event.target.blur(); }
      }
      return;
    }
    if (onControl(event.target)) return;
    var handled = document.querySelector(".mod-item") ? onDetail(event.key) : onList(event.key);
    if (handled) event.preventDefault();
  });

  // A bulk rejection needs a reason: say so before sending, so the ticked rows stay ticked.
  var bulkForm = document.getElementById("bulk-form");
  if (bulkForm) {
    bulkForm.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (!submitter || submitter.value !== "reject") return;
      var reason = bulkForm.querySelector("select[name=template]");
      var note = bulkForm.querySelector("input[name=message]");
      if ((reason && reason.value) || (note && note.value.trim())) return;
      event.preventDefault();
      var live = document.getElementById("mod-live");
      if (live) {
        live.textContent = bulkForm.dataset.rejectNeedsReason;
        live.classList.add("mod-live--error");
      }
      if (reason) {  // the error is the field's: said when it has the focus, until a reason is picked
        reason.setAttribute("aria-invalid", "true");
        reason.setAttribute("aria-describedby", "mod-live");
        reason.addEventListener("change", function () {
          reason.removeAttribute("aria-invalid");
          reason.removeAttribute("aria-describedby");
        }, { once: true });
        reason.focus();
      }
    });
  }

  if (window.location.hash === "#decision-form") {  // r from the list, or a refused decision: its field
    var reasonField = document.querySelector("#decision-form [aria-invalid=true]") ||
      document.querySelector("#decision-form select[name=template]");
    // after the browser's own move to the fragment, which focuses the form's fallback (the page) on load
    if (reasonField) window.addEventListener("load", function () { setTimeout(function () { reasonField.focus(); }, 0); });
  }

  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest(".mod-queue__row");
    if (!row || ["A", "INPUT", "BUTTON"].indexOf(event.target.tagName) !== -1) return;
    select(rows.indexOf(row));
  });
})();
