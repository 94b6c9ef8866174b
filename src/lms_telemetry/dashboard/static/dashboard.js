// Draws the dashboard's charts with the vendored Chart.js from the JSON spec
// each <figure class="chart"> carries, and runs the small page controls: the
// theme switch and the custom-dates fields of the filter form. The page works
// without it: every chart has a table with the same values.
(function () {
  "use strict";

  var THEME_KEY = "lms-telemetry-theme";
  var THEMES = ["system", "light", "dark"];
  var drawn = [];

  function cssColour(name) {
    return getComputedStyle(document.documentElement)
      .getPropertyValue(name)
      .trim();
  }

  function palette() {
    return [1, 2, 3, 4, 5].map(function (index) {
      return cssColour("--series-" + index);
    });
  }

  function formatValue(value, format) {
    if (value === null || value === undefined) {
      return "–";
    }
    if (format === "percent") {
      return (value * 100).toFixed(1) + " %";
    }
    if (format === "ms") {
      return value.toLocaleString() + " ms";
    }
    if (format === "seconds") {
      return value.toLocaleString() + " s";
    }
    return value.toLocaleString();
  }

  function mixColour(low, high, share) {
    function channels(hex) {
      var text = hex.replace("#", "");
      return [0, 2, 4].map(function (start) {
        return parseInt(text.slice(start, start + 2), 16);
      });
    }
    var from = channels(low);
    var to = channels(high);
    var mixed = from.map(function (channel, index) {
      return Math.round(channel + (to[index] - channel) * share);
    });
    return "rgb(" + mixed.join(",") + ")";
  }

  function matrixConfig(spec, common) {
    var cells = [];
    var highest = 0;
    spec.series.forEach(function (serie) {
      serie.values.forEach(function (value, index) {
        if (value !== null) {
          cells.push({ x: spec.labels[index], y: serie.label, v: value });
          highest = Math.max(highest, value);
        }
      });
    });
    var low = cssColour("--heat-low");
    var high = cssColour("--heat-high");
    var columns = spec.labels.length;
    var rows = spec.series.length;
    return {
      type: "matrix",
      data: {
        datasets: [
          {
            label: "Events",
            data: cells,
            backgroundColor: function (context) {
              var cell = context.dataset.data[context.dataIndex];
              return mixColour(low, high, highest ? 0.15 + 0.85 * cell.v / highest : 0);
            },
            borderWidth: 1,
            borderColor: cssColour("--surface"),
            width: function (context) {
              var area = context.chart.chartArea || {};
              return (area.right - area.left) / columns - 2 || 10;
            },
            height: function (context) {
              var area = context.chart.chartArea || {};
              return (area.bottom - area.top) / rows - 2 || 10;
            },
          },
        ],
      },
      options: Object.assign(common, {
        scales: {
          x: { type: "category", labels: spec.labels, offset: true,
               grid: { display: false }, ticks: { color: cssColour("--fg") } },
          y: { type: "category", labels: spec.series.map(function (s) {
                 return s.label; }), offset: true, grid: { display: false },
               ticks: { color: cssColour("--fg") } },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: function () { return ""; },
              label: function (context) {
                var cell = context.raw;
                return cell.y + " · " + cell.x + ": " + cell.v.toLocaleString();
              },
            },
          },
        },
      }),
    };
  }

  function seriesConfig(spec, common) {
    var colours = palette();
    var kind = spec.kind;
    var isSparkline = kind === "sparkline";
    var type = kind === "horizontal-bar" ? "bar" : isSparkline ? "line" : kind;
    var datasets = spec.series.map(function (serie, index) {
      var colour = colours[index % colours.length];
      return {
        label: serie.label,
        data: serie.values,
        borderColor: kind === "doughnut" ? cssColour("--surface") : colour,
        backgroundColor: kind === "doughnut" ? colours : colour,
        pointRadius: isSparkline ? 0 : 2,
        borderWidth: isSparkline ? 1.5 : 2,
      };
    });
    var tickColour = cssColour("--muted");
    var gridColour = cssColour("--border");
    var valueTicks = {
      color: tickColour,
      callback: function (value) { return formatValue(value, spec.format); },
    };
    var options = Object.assign(common, {
      indexAxis: kind === "horizontal-bar" ? "y" : "x",
      plugins: {
        legend: {
          display: !isSparkline && (spec.series.length > 1 || kind === "doughnut"),
          labels: { color: cssColour("--fg") },
        },
        tooltip: {
          enabled: !isSparkline,
          callbacks: {
            label: function (context) {
              return context.dataset.label + ": " +
                formatValue(context.raw, spec.format);
            },
          },
        },
      },
    });
    if (kind !== "doughnut") {
      var categoryTicks = { color: tickColour, autoSkip: true };
      var horizontal = kind === "horizontal-bar";
      options.scales = {
        x: horizontal ? { ticks: valueTicks, grid: { color: gridColour } }
                      : { ticks: categoryTicks, grid: { display: false } },
        y: horizontal ? { ticks: categoryTicks, grid: { display: false } }
                      : { ticks: valueTicks, grid: { color: gridColour },
                          beginAtZero: true },
      };
      if (isSparkline) {
        options.scales.x.display = false;
        options.scales.y.display = false;
      }
    }
    return { type: type, data: { labels: spec.labels, datasets: datasets },
             options: options };
  }

  function drawChart(figure) {
    var specElement = figure.querySelector("script.chart-spec");
    var canvas = figure.querySelector("canvas");
    if (!specElement || !canvas) {
      return;
    }
    var spec = JSON.parse(specElement.textContent);
    var common = { responsive: true, maintainAspectRatio: false, animation: false };
    var config = spec.kind === "matrix"
      ? matrixConfig(spec, common)
      : seriesConfig(spec, common);
    drawn.push(new window.Chart(canvas, config));
    figure.setAttribute("data-rendered", "true");
  }

  function drawCharts() {
    drawn.forEach(function (chart) { chart.destroy(); });
    drawn = [];
    if (!window.Chart) {
      return;
    }
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.color = cssColour("--fg");
    document.querySelectorAll("figure.chart").forEach(drawChart);
  }

  function currentTheme() {
    try {
      return window.localStorage.getItem(THEME_KEY) || "system";
    } catch (error) {
      return "system";
    }
  }

  function applyTheme(theme, button) {
    if (theme === "system") {
      document.documentElement.removeAttribute("data-theme");
    } else {
      document.documentElement.setAttribute("data-theme", theme);
    }
    button.textContent = "Theme: " + theme;
  }

  function setUpThemeToggle() {
    var button = document.getElementById("theme-toggle");
    if (!button) {
      return;
    }
    applyTheme(currentTheme(), button);
    button.addEventListener("click", function () {
      var next = THEMES[(THEMES.indexOf(currentTheme()) + 1) % THEMES.length];
      try {
        window.localStorage.setItem(THEME_KEY, next);
      } catch (error) {
        // Without storage the choice lasts until the page changes.
      }
      applyTheme(next, button);
      drawCharts();
    });
    window.matchMedia("(prefers-color-scheme: dark)")
      .addEventListener("change", drawCharts);
  }

  function setUpPeriodFields() {
    var form = document.querySelector("form.filters");
    var period = document.getElementById("f-period");
    if (!form || !period) {
      return;
    }
    function update() {
      var isCustom = period.value === "custom";
      form.classList.toggle("is-preset", !isCustom);
      form.querySelectorAll(".custom-dates input").forEach(function (input) {
        input.disabled = !isCustom;
      });
    }
    period.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpThemeToggle();
    setUpPeriodFields();
    drawCharts();
  });
})();
