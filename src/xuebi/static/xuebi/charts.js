// Charts drawn with the vendored ECharts from data the page carries in <script type="application/json">
// (json_script), so the CSP can keep forbidding inline scripts.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("xb-radar");
  var source = document.getElementById("xb-radar-data");
  if (!box || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = window.echarts.init(box, null, { renderer: "canvas" });
  chart.setOption({
    color: ["#b3141c"],
    tooltip: {},
    radar: {
      radius: "62%",
      indicator: data.labels.map(function (label, i) { return { name: label, max: data.max[i] }; })
    },
    series: [{ type: "radar", areaStyle: { opacity: 0.25 }, data: [{ name: data.name, value: data.values }] }]
  });
  box.setAttribute("data-ready", "1");
  window.addEventListener("resize", function () { chart.resize(); });
});
