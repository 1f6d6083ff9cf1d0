// Draws each chart from the figure JSON in the page; a click on a bar opens its item.
// The data table stays in the page for screen readers, hidden from sight.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".chart-plot").forEach(function (el) {
    var figure = JSON.parse(document.getElementById(el.dataset.figure).textContent);
    Plotly.newPlot(el, figure.data, figure.layout, {
      responsive: true, displaylogo: false, displayModeBar: false,
    });
    el.on("plotly_click", function (event) {
      var url = event.points[0] && event.points[0].customdata;
      if (typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/") {
        window.location.assign(url);
      }
    });
  });
  document.querySelectorAll(".chart-table").forEach(function (el) {
    el.classList.add("visually-hidden");
  });
});
