// Zoom Admin: small progressive enhancements. No inline scripts anywhere (strict CSP).
"use strict";
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr ? event.detail.xhr.status : 0;
  var box = document.getElementById("htmx-error");
  if (!box) {
    box = document.createElement("div");
    box.id = "htmx-error";
    box.className = "message message-error floating";
    box.setAttribute("role", "alert");
    document.body.appendChild(box);
  }
  box.textContent = status === 403
    ? "You do not have permission for that action."
    : "The server could not complete that request (HTTP " + status + "). Nothing was lost; please retry.";
});
document.addEventListener("htmx:sendError", function () {
  var box = document.getElementById("htmx-error") || document.createElement("div");
  box.id = "htmx-error";
  box.className = "message message-error floating";
  box.setAttribute("role", "alert");
  box.textContent = "Cannot reach Zoom Admin. Check your connection and retry.";
  document.body.appendChild(box);
});
