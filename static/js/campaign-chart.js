// Draws the campaign's cumulative progress per milestone (ECharts), from the JSON in the page.
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("campaign-chart");
  var data = document.getElementById("campaign-series");
  if (!holder || !data || !window.echarts) return;
  var series = JSON.parse(data.textContent);
  var chart = window.echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: series.days },
    yAxis: { type: "value", minInterval: 1 },
    series: series.series.map(function (s) { return { name: s.name, type: "line", data: s.data, smooth: false }; }),
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
