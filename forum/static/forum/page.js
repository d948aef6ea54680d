// What the server said about the last action (a message after a redirect: saved, claimed, decided; a refused
// log-in) takes the keyboard focus when the page loads, so a screen reader reads it at once and the next Tab
// starts from there instead of from the top of the page. A page whose own script placed the focus (a field
// with an error, a form's summary) keeps it.
(function () {
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

// A post form is sent to this page's address without its #fragment: after "Skip to content" the address ends in
// #main, and a page sent back with errors then gave the focus to <main> instead of to the form's summary. (The
// address is read when the form is sent: an editor tool may have added ?draft= to it since the page loaded.)
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.matches && form.matches("form[data-post-form]") && location.hash) {
    form.action = location.pathname + location.search;
  }
});
