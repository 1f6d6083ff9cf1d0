// Draws each chart from the figure JSON in the page; a click on a bar opens its item.
// The data table stays in the page for screen readers, hidden from sight.
// Date axes speak the page's language: plotly.js ships only English month names.
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
document.addEventListener("DOMContentLoaded", function () {
  var lang = document.documentElement.lang;
  if (CHART_LOCALES[lang]) Plotly.register(CHART_LOCALES[lang]);
  document.querySelectorAll(".chart-plot").forEach(function (el) {
    var figure = JSON.parse(document.getElementById(el.dataset.figure).textContent);
    Plotly.newPlot(el, figure.data, figure.layout, {
      responsive: true, displaylogo: false, displayModeBar: false, locale: lang,
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
