// While the pipeline is still checking a post, fetch the page again every 2 s (at most 30 times) and swap in
// the parts that change when the scores arrive ([data-refresh] regions: the passage scores, the post's status,
// the classifier results), so they appear within seconds of submitting. The page itself is never reloaded: a
// reload took the keyboard focus and threw away whatever a moderator was typing in the decision form.
(function () {
  var section = document.querySelector("[data-passage-scores-pending]");
  if (!section || !window.fetch || !window.DOMParser) return;
  var announcer = document.createElement("p");  // present before it speaks, so screen readers announce it
  announcer.className = "visually-hidden";
  announcer.setAttribute("role", "status");
  document.body.appendChild(announcer);
  var tries = 0;

  function swap(fresh) {
    document.querySelectorAll("[data-refresh]").forEach(function (el) {
      var name = el.getAttribute("data-refresh");
      var next = fresh.querySelector('[data-refresh="' + name + '"]');
      if (next) el.replaceWith(document.importNode(next, true));
    });
  }

  function giveUp() {
    var note = section.querySelector(".passage-scores__pending");
    if (note) note.textContent = section.getAttribute("data-stale-message");
  }

  function poll() {
    tries += 1;
    fetch(location.href, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        if (fresh.querySelector("[data-passage-scores-pending]")) return schedule();
        // not this page (a login page after the session expired): stop, announcing nothing
        if (!fresh.querySelector('[data-refresh="passage-scores"]')) return giveUp();
        var item = document.querySelector(".mod-item[data-version]");
        var freshItem = fresh.querySelector(".mod-item[data-version]");
        swap(fresh);
        if (item && freshItem && item.getAttribute("data-version") !== freshItem.getAttribute("data-version")) {
          // the item changed with the scores: the decision form still carries the version it was drawn with
          var stale = document.createElement("p");
          stale.className = "errorlist mod-item__stale";
          stale.setAttribute("data-item-changed", "");
          stale.textContent = item.getAttribute("data-changed-message");
          item.insertBefore(stale, item.firstChild);
          announcer.textContent = stale.textContent;
          return;
        }
        var banner = document.querySelector("[data-refresh=post-status]");
        var words = [section.getAttribute("data-ready-message")];
        if (banner && banner.textContent.trim()) words.push(banner.textContent.trim().replace(/\s+/g, " "));
        announcer.textContent = words.join(" ");
      })
      .catch(schedule);
  }

  function schedule() {
    if (tries >= 30) return giveUp();
    setTimeout(poll, 2000);
  }

  schedule();
})();
