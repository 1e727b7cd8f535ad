// The completion chart of 清单完成率: items due per month (on time, late, overdue, not yet due) and the on-time rate,
// drawn with the vendored ECharts from the page's json_script data (no inline script: CSP).
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("xb-cl-chart");
  var source = document.getElementById("xb-cl-data");
  if (!box || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = window.echarts.init(box, null, { renderer: "canvas" });
  chart.setOption({
    color: ["#2f7d32", "#e0a100", "#b3141c", "#adb5bd", "#1f4e8c"],
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 40, top: 36, bottom: 24 },
    xAxis: { type: "category", data: data.months },
    yAxis: [{ type: "value", name: "项", minInterval: 1 }, { type: "value", name: "%", max: 100 }],
    series: [
      { name: "按时完成", type: "bar", stack: "n", data: data.on_time },
      { name: "逾期完成", type: "bar", stack: "n", data: data.late },
      { name: "逾期未完成", type: "bar", stack: "n", data: data.open },
      { name: "未到期", type: "bar", stack: "n", data: data.ahead },
      { name: "按时完成率", type: "line", yAxisIndex: 1, data: data.rate, connectNulls: true }
    ]
  });
  box.setAttribute("data-ready", "1");
  window.addEventListener("resize", function () { chart.resize(); });
});
