// A post form is sent to this page's address without its #fragment: after "Skip to content" the address ends in
// #main, and a page sent back with errors then gave the focus to <main> instead of to the form's summary. (The
// address is read when the form is sent: an editor tool may have added ?draft= to it since the page loaded.)
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.matches && form.matches("form[data-post-form]") && location.hash) {
    form.action = location.pathname + location.search;
  }
});
