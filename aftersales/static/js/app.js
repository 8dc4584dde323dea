// Charts declared in the page: <div class="chart" data-chart="ID"> with a json_script ID.
(function () {
  function drawCharts(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = echarts.init(el);
      var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      chart.setOption({
        animation: !still,
        tooltip: {},
        grid: { left: 40, right: 10, top: 20, bottom: 60 },
        xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 5 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", name: data.series, data: data.values, itemStyle: { color: "#0d6efd" } }]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
})();
