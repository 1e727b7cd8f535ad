// The score distribution of an exam's results page: people per tenth of the full score, drawn with the
// vendored ECharts from the page's json_script data (no inline script: CSP).
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("xb-exam-chart");
  var source = document.getElementById("xb-exam-data");
  if (!box || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = window.echarts.init(box, null, { renderer: "canvas" });
  chart.setOption({
    color: ["#b3141c"],
    tooltip: { trigger: "axis" },
    grid: { left: 36, right: 12, top: 16, bottom: 48 },
    xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 40 } },
    yAxis: { type: "value", name: "人", minInterval: 1 },
    series: [{ name: "人数", type: "bar", data: data.counts }]
  });
  box.setAttribute("data-ready", "1");
  window.addEventListener("resize", function () { chart.resize(); });
});
