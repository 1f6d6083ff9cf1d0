// Draws a chart with plotly.js from its figure (fetched by chart-button.js when the reader
// asks), in place of the SVG the server drew; a click on a bar opens its
// item. Date axes speak the page's language: plotly.js ships only English month names.
var CHART_LOCALES = {
  ru: {
    moduleType: "locale", name: "ru", dictionary: {},
    format: {
      days: ["воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"],
      shortDays: ["вс", "пн", "вт", "ср", "чт", "пт", "сб"],
      months: ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
        "сентябрь", "октябрь", "ноябрь", "декабрь"],
      shortMonths: ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт",
        "ноя", "дек"],
      date: "%d.%m.%Y",
    },
  },
};
var chartLang = document.documentElement.lang;
if (CHART_LOCALES[chartLang]) Plotly.register(CHART_LOCALES[chartLang]);
function drawChart(button, figure) {
  var el = button.closest(".chart").querySelector(".chart-drawn");
  el.replaceChildren();
  el.className = "chart-plot";
  Plotly.newPlot(el, figure.data, figure.layout, {
    responsive: true, displaylogo: false, displayModeBar: false, locale: chartLang,
  });
  el.on("plotly_click", function (event) {
    var url = event.points[0] && event.points[0].customdata;
    if (typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/") {
      window.location.assign(url);
    }
  });
  button.remove();
}
