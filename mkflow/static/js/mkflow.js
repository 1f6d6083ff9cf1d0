// mkflow's own few lines: say so when an in-place action fails without an answer to show.
// The texts come translated from the page (data-* on <body>).
function showLive(text) {
  var region = document.getElementById("live-message");
  if (!region || !text) return;
  var p = document.createElement("p");
  p.className = "message message-error";
  p.textContent = text;
  region.replaceChildren(p);
}
document.addEventListener("htmx:responseError", function () {
  showLive(document.body.dataset.failedText);
});
document.addEventListener("htmx:sendError", function () {
  showLive(document.body.dataset.offlineText);
});
