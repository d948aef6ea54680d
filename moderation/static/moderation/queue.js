/* Keyboard triage for the moderator queue (no inline scripts: CSP script-src 'self').
 * List:   j/k move the selection, Enter or o opens, x ticks the row for bulk actions; a approves, c claims
 *         and s snoozes the selected row in place (JSON POST; a conflict is shown, not hidden), r opens it
 *         at the reason field (a rejection needs a reason).
 * Detail: j/k next/previous item, a approve, r reject (first press focuses the reason when none is
 *         chosen), s snooze, c claim. Keys are ignored while typing in a field. */
(function () {
  "use strict";

  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
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
    if (window.location.hash === "#decision-form") {
    var reasonField = document.querySelector("#decision-form select[name=template]");
    if (reasonField) reasonField.focus();
  }

  rows.forEach(function (row, i) { row.classList.toggle("mod-queue__row--selected", i === current); });
    rows[current].focus();
    rows[current].scrollIntoView({ block: "nearest" });
  }

  var live = document.getElementById("mod-live");

  function say(text, isError) {
    if (!live) return;
    live.textContent = text;
    live.classList.toggle("mod-live--error", !!isError);
  }

  function rowAction(row, key) {
    var url = row.dataset["url" + key.toUpperCase()];
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (!url || !token) return;
    var body = new FormData();
    body.append("version", row.dataset.version);
    if (key === "s") body.append("snooze", "next_revision");
    fetch(url, { method: "POST", body: body, credentials: "same-origin",
                 headers: { "Accept": "application/json", "X-CSRFToken": token.value } })
      .then(function (response) { return response.json().then(function (data) { return [response.status, data]; }); })
      .then(function (result) {
        var status = result[0], data = result[1];
        if (status === 200 && data.item) {
          row.dataset.version = data.item.version;
          row.querySelector(".mod-queue__status").textContent = data.item.decision ? "Decided: " + data.item.decision : data.item.status;
          row.classList.toggle("mod-queue__row--done", data.item.status === "decided" || data.item.status === "snoozed");
          say(row.querySelector(".mod-queue__title").textContent + ": " + (data.item.decision || data.item.status) + ".");
          if (key !== "c") select(current + 1);
        } else {
          say(data.error || "That did not work; reload the page.", true);
        }
      })
      .catch(function () { say("The server did not answer; nothing was changed.", true); });
  }

  function onList(key) {
    if (key === "j") { select(current + 1); return true; }
    if (key === "k") { select(current - 1); return true; }
    if ((key === "Enter" || key === "o") && current >= 0) { window.location.href = rows[current].dataset.href; return true; }
    if ((key === "a" || key === "c" || key === "s") && current >= 0) { rowAction(rows[current], key); return true; }
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
      var form = document.querySelector("form[data-key='" + key + "']");
      submitForm(form);
      return !!form;
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
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var handled = document.querySelector(".mod-item") ? onDetail(event.key) : onList(event.key);
    if (handled) event.preventDefault();
  });

  if (window.location.hash === "#decision-form") {
    var reasonField = document.querySelector("#decision-form select[name=template]");
    if (reasonField) reasonField.focus();
  }

  rows.forEach(function (row, i) {
    row.addEventListener("click", function (event) {
      if (event.target.tagName !== "A" && event.target.tagName !== "INPUT") select(i);
    });
  });
})();
