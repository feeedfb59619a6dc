/* The dashboards' charts, drawn by the vendored ECharts from the data the page carries
   (#statistics-charts). Every chart repeats a table of the page, which works without this script.
   The tooltips are drawn in the canvas (renderMode richText): the Content-Security-Policy allows no
   inline style, which ECharts' HTML tooltips would need. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  var TOOLTIP = { trigger: "axis", renderMode: "richText" };
  var COLOURS = ["#c62828", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f"];

  function trend(data) {
    var l = data.labels;
    return {
      color: COLOURS,
      tooltip: TOOLTIP,
      legend: { data: [l.received, l.finished], top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: 32, containLabel: true },
      xAxis: { type: "category", data: data.trend.periods },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: l.received, type: "line", data: data.trend.received, smooth: true },
        { name: l.finished, type: "line", data: data.trend.finished, smooth: true }
      ]
    };
  }

  function ranking(data) {
    var l = data.labels;
    return {
      color: COLOURS,
      tooltip: TOOLTIP,
      legend: { data: [l.received, l.on_time_rate], top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: [{ type: "value", minInterval: 1 }, { type: "value", max: 100, show: false }],
      yAxis: { type: "category", inverse: true, data: data.ranking.names, axisLabel: { width: 96, overflow: "truncate" } },
      series: [
        { name: l.received, type: "bar", data: data.ranking.received, xAxisIndex: 0 },
        { name: l.on_time_rate, type: "bar", data: data.ranking.on_time_rate, xAxisIndex: 1 }
      ]
    };
  }

  function channels(data) {
    return {
      color: COLOURS,
      tooltip: { trigger: "item", renderMode: "richText", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "65%"], data: data.channels, label: { formatter: "{b}\n{d}%" } }]
    };
  }

  function five(data) {
    var l = data.labels;
    var whats = ["trips", "materials", "forms", "days"];
    var first = data.five[0] || {};
    var series = ["separate", "promised", "realised"].map(function (kind) {
      return {
        name: l[kind],
        type: "bar",
        data: whats.map(function (what) { return first[what + "_" + kind]; })
      };
    });
    return {
      color: ["#9e9e9e", "#1565c0", "#c62828"],
      title: { text: first.name || "", left: "center", textStyle: { fontSize: 13 } },
      tooltip: TOOLTIP,
      legend: { bottom: 0 },
      grid: { left: 8, right: 8, top: 32, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: whats.map(function (what) { return l[what]; }) },
      yAxis: { type: "value" },
      series: series
    };
  }

  var CHARTS = { trend: trend, ranking: ranking, channels: channels, five: five };

  ready(function () {
    var source = document.getElementById("statistics-charts");
    if (!source || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var drawn = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var build = CHARTS[el.getAttribute("data-chart")];
      if (!build) { return; }
      if (el.getAttribute("data-chart") === "ranking") {
        el.classList.add("rows-" + Math.min(data.ranking.names.length, 15));
      }
      var chart = window.echarts.init(el);
      chart.setOption(build(data));
      el.setAttribute("data-drawn", "true");
      drawn.push(chart);
    });
    window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
  });
})();
