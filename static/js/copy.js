// Copy buttons: <button data-copy="ID" hidden> copies the text of the element with that id (the chain
// head's hash on the audit integrity page). Without JavaScript the buttons stay hidden and the text stays
// in a plain <code>, selectable by hand. No inline scripts anywhere (strict CSP).
"use strict";
(function () {
  function reveal(root) {
    if (!root || !root.querySelectorAll) { return; }
    root.querySelectorAll("button[data-copy]").forEach(function (button) { button.hidden = false; });
  }
  function select(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  function say(button, text) {
    if (!button.dataset.label) { button.dataset.label = button.textContent; }
    button.textContent = text;
    clearTimeout(button.resetTimer);
    button.resetTimer = setTimeout(function () { button.textContent = button.dataset.label; }, 2500);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-copy]") : null;
    var source = button ? document.getElementById(button.getAttribute("data-copy")) : null;
    if (!source) { return; }
    var text = source.textContent.trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { say(button, "Copied"); },
        function () { select(source); say(button, "Selected: press Ctrl+C"); }
      );
    } else {
      // Plain http outside localhost has no clipboard API: select the text for the keyboard instead.
      select(source);
      say(button, "Selected: press Ctrl+C");
    }
  });
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:load", function (event) { reveal(event.detail.elt); });
})();
