// What the server said about the last action (a message after a redirect: saved, claimed, decided; a refused
// log-in; what the queue's filters found) takes the keyboard focus when the page loads, so a screen reader reads
// it at once and the next Tab starts from there instead of from the top of the page. The element says so with
// data-focus-on-load (and tabindex="-1"). A page whose own script placed the focus (a field with an error, a
// form's summary) keeps it. A host frame and the queue's may both include this file: it runs once.
(function () {
  if (window.__focusOnLoad) return;
  window.__focusOnLoad = true;
  function place() {
    var target = document.querySelector("[data-focus-on-load]");
    if (!target) return;
    var active = document.activeElement;
    var main = document.getElementById("main");
    if (active && active !== document.body && active !== document.documentElement && active !== main) return;
    target.focus();
  }
  window.addEventListener("load", function () { setTimeout(place, 0); });
})();
