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

// After an action on a card (board or My work), keep the keyboard where the work is: on the
// card where it now stands, else on the card that followed it, else on the message; after a
// refusal, on the message that says why. Otherwise focus falls back to the page's start.
var acted = null;
document.addEventListener("htmx:beforeRequest", function (event) {
  // an action on a card only (a bell poll or a column's "Show more" leaves it be)
  var form = event.target.closest && event.target.closest("form.card-actions");
  var card = form && form.closest("li[id]");
  if (!card) return;
  var next = card.nextElementSibling || card.previousElementSibling;
  acted = { form: form, id: card.id, next: next && next.id };
});
document.addEventListener("htmx:afterSettle", function (event) {
  var config = event.detail.requestConfig;
  if (!acted || !config || config.elt !== acted.form) return;
  var message = document.querySelector("#live-message .message");
  var refused = message && message.classList.contains("message-error");
  var card = !refused && (document.getElementById(acted.id) || document.getElementById(acted.next));
  var target = card ? card.querySelector("a, button") : message;
  acted = null;
  if (!target) return;
  if (!card) target.tabIndex = -1;  // a message is not a stop in the Tab order, only a landing
  target.focus();
});

// "Copy" buttons (share links): shown only where a script can copy; they say when it is done.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var source = document.getElementById(button.dataset.copy);
    navigator.clipboard.writeText(source.value).then(function () {
      button.textContent = button.dataset.copied;
    }, function () { source.select(); });  // refused: the text is selected to copy by hand
  });
});

// Dashboard sections a reader folded stay folded in this browser (sections that come later
// with htmx included).
function keepFolds(root) {
  root.querySelectorAll("details.dash-fold").forEach(function (details) {
    var key = "mkflow-folded-" + location.pathname + "#" + details.parentElement.id;
    try {
      if (localStorage.getItem(key)) details.open = false;
      details.addEventListener("toggle", function () {
        if (details.open) localStorage.removeItem(key); else localStorage.setItem(key, "1");
      });
    } catch (e) { /* storage refused: folding still works for this page */ }
  });
}
keepFolds(document);
document.addEventListener("htmx:load", function (event) { keepFolds(event.detail.elt); });
