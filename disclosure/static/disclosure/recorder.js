/*
 * The recorder's hook: AI tools built into the host forum's editor (a "rewrite with AI" button, a
 * translator) call it each time they change the draft, so the disclosure arrives pre-filled and the post
 * can later be compared with what the tools recorded (the author still writes the final disclosure).
 *
 *   window.aiDisclosureRecorder.record({kind: "translation", extent: "substantial", tool: "DeepL"})
 *     .then(function (draft) { ... draft.id, draft.events, draft.disclosure_prefill ... });
 *
 * kind: drafting, editing, translation, research, ideation, code_analysis, data_figures, other;
 * extent: minor, substantial, most. The first call starts a draft and puts its id in the page's address
 * (?draft=…), so the post form, which posts to its own address, links the post to the draft. A rejected
 * promise carries {status, errors: [{field, message}]}. The page announces each recording in
 * [data-recorder-status] when there is one.
 *
 * Hooks: [data-recorder] with data-create-url and data-record-url (containing "00000000-0000-0000-0000-000000000000"
 * where the draft id goes), and optional data-draft (an existing draft's id).
 */
(function () {
  "use strict";

  var PLACEHOLDER = "00000000-0000-0000-0000-000000000000";
  // Translations: Django's JavaScript catalogue (disclosure:jsi18n), when the page loads it before this file;
  // English otherwise.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(([a-z_]+)\)s/g, function (match, name) { return values[name]; });
  };
  // The names the status line gives the recorded kind and extent (the draft's JSON carries the codes).
  var KIND_NAMES = {
    drafting: gettext("drafting"), editing: gettext("editing"), translation: gettext("translation"),
    research: gettext("research"), ideation: gettext("ideas"), code_analysis: gettext("code or analysis"),
    data_figures: gettext("data or figures"), other: gettext("other")
  };
  var EXTENT_NAMES = {minor: gettext("minor"), substantial: gettext("substantial"), most: gettext("most of it")};
  var root = document.querySelector("[data-recorder]");
  if (!root) { return; }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json"},
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          return Promise.reject({status: response.status, errors: data.errors || [{field: "", message: gettext("The recording failed.")}]});
        }
        return data;
      });
    });
  }

  // A draft id and nothing else: ?draft= is whoever wrote the link's, and the id goes into the recording's path
  // (a "../../notifications/read/?" there sent the recording, with the CSRF token, to another page of the site).
  var DRAFT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  function asDraftId(value) { return DRAFT_ID.test(value || "") ? value : ""; }
  var draftId = asDraftId(root.getAttribute("data-draft")) ||
    asDraftId(new URLSearchParams(window.location.search).get("draft"));
  var starting = null;

  function ensureDraft() {
    if (draftId) { return Promise.resolve(draftId); }
    if (!starting) {
      starting = post(root.getAttribute("data-create-url")).then(function (draft) {
        draftId = asDraftId(draft.id);
        if (!draftId) { return Promise.reject({status: 0, errors: [{field: "", message: gettext("The recording failed.")}]}); }
        var url = new URL(window.location.href);
        url.searchParams.set("draft", draftId);
        window.history.replaceState(null, "", url.toString());
        return draftId;
      }, function (error) { starting = null; return Promise.reject(error); });
    }
    return starting;
  }

  function announce(draft) {
    var status = document.querySelector("[data-recorder-status]");
    if (!status) { return; }
    var last = draft.events[draft.events.length - 1];
    status.hidden = false;
    var values = {kind: KIND_NAMES[last.kind] || last.kind, extent: EXTENT_NAMES[last.extent] || last.extent,
                  tool: last.tool};
    status.textContent = interpolate(last.tool
      ? gettext("Recorded: %(kind)s (%(extent)s) by %(tool)s. Your disclosure should say so.")
      : gettext("Recorded: %(kind)s (%(extent)s). Your disclosure should say so."), values, true);
  }

  window.aiDisclosureRecorder = {
    record: function (use) {
      use = use || {};
      return ensureDraft().then(function (id) {
        return post(root.getAttribute("data-record-url").replace(PLACEHOLDER, id), {
          kind: use.kind, extent: use.extent, tool: use.tool || null, details: use.details || null
        });
      }).then(function (draft) { announce(draft); return draft; });
    },
    draftId: function () { return draftId || null; }
  };
  document.dispatchEvent(new CustomEvent("ai-disclosure-recorder:ready"));
})();
