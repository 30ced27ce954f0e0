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
// A message from the server about an htmx action that swapped no page-wide messages (e.g. refreshing
// one search row from Zoom): HX-Trigger {"zoomadmin:message": {"level": "success", "text": "..."}}.
document.addEventListener("zoomadmin:message", function (event) {
  var levels = { success: 1, info: 1, warning: 1, error: 1 };
  var level = levels[event.detail.level] ? event.detail.level : "info";
  var stale = document.getElementById("htmx-error");
  if (stale) { stale.remove(); }
  var box = document.getElementById("htmx-message");
  if (!box) {
    box = document.createElement("div");
    box.id = "htmx-message";
    document.body.appendChild(box);
  }
  box.className = "message message-" + level + " floating";
  box.setAttribute("role", level === "error" ? "alert" : "status");
  box.textContent = String(event.detail.text || "");
  clearTimeout(box.hideTimer);
  if (level === "success") {
    box.hideTimer = setTimeout(function () { box.remove(); }, 6000);
  }
});
