// Charts come drawn as SVG. "Interactive" loads plotly.js (1.2 MB: a second of a slow
// laptop's time, so never on page load) and charts.js, fetches the chart's figure JSON (not
// in the page: a 500-task Gantt's is 200 KB) and draws the chart with them.
function loadScript(src) {
  return new Promise(function (resolve, reject) {
    var script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = reject;
    document.head.appendChild(script);
  });
}
var plotlyReady = null;
document.addEventListener("click", function (event) {
  var button = event.target.closest(".chart-interactive");
  if (!button) return;
  button.disabled = true;
  plotlyReady = plotlyReady || loadScript(button.dataset.plotly).then(function () {
    return loadScript(button.dataset.charts);
  });
  var figure = fetch(button.dataset.figureUrl, { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    });
  Promise.all([figure, plotlyReady]).then(function (ready) {
    drawChart(button, ready[0]);
  }, function () { button.disabled = false; });
});
// The buttons show only where this script runs (also in charts htmx brings in later).
function showButtons() {
  document.querySelectorAll(".chart-interactive[hidden]").forEach(function (button) {
    button.hidden = false;
  });
}
document.addEventListener("DOMContentLoaded", showButtons);
document.addEventListener("htmx:afterSettle", showButtons);
