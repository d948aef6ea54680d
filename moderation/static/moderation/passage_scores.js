// While the pipeline is still checking a post, reload the page every 2 s (at most 30 times) so the
// passage scores appear within seconds of submitting, without the author pressing reload.
(function () {
  var key = "passage-scores-reloads:" + location.pathname;
  if (!document.querySelector("[data-passage-scores-pending]")) {
    sessionStorage.removeItem(key);
    return;
  }
  var count = parseInt(sessionStorage.getItem(key) || "0", 10);
  if (count >= 30) return;
  sessionStorage.setItem(key, String(count + 1));
  setTimeout(function () { location.reload(); }, 2000);
})();
