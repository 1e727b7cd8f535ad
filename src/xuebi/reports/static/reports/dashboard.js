// The dashboard and the 大屏: each [data-chart] box is drawn with the vendored ECharts from
// /api/v1/reports/dashboard/<name> (the page only says where: data- attributes; the CSP forbids
// inline scripts). The 大屏 (data-screen) uses large type on a dark ground and fetches again every
// data-refresh seconds while the tab is visible.
(function () {
  "use strict";

  var RED = "#c8161d";
  var GOLD = "#ffd35c";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var root = document.getElementById("xb-dashboard");
    if (!root || !window.echarts) return;
    var screen = root.getAttribute("data-screen") === "1";
    var api = root.getAttribute("data-api");
    var campaign = root.getAttribute("data-campaign");
    var year = root.getAttribute("data-year");
    var perHead = false;
    var charts = {};
    var text = screen ? "#e8eef8" : "#333";
    var axis = screen ? 20 : 12;
    var label = screen ? 22 : 12;

    function chart(name) {
      var box = root.querySelector('[data-chart="' + name + '"]');
      if (!box) return null;
      if (!charts[name]) charts[name] = window.echarts.init(box, null, { renderer: "canvas" });
      return charts[name];
    }

    function url(name, extra) {
      var query = name === "compliance" ? "year=" + encodeURIComponent(year) : "campaign_id=" + encodeURIComponent(campaign);
      return api + name + "?" + query + (extra || "");
    }

    function get(name, extra) {
      return fetch(url(name, extra), { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      });
    }

    function empty(name, message) {
      var c = chart(name);
      if (!c) return;
      c.clear();
      c.setOption({ title: { text: message || "暂无数据", left: "center", top: "middle", textStyle: { color: "#999", fontSize: label } } });
    }

    function done(name) {
      var box = root.querySelector('[data-chart="' + name + '"]');
      if (box) box.setAttribute("data-ready", "1");
    }

    var draw = {
      units: function (data) {
        var rows = data.rows.slice().reverse();
        var key = data.per_head ? "average" : "total";
        chart("units").setOption({
          grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
          tooltip: {},
          xAxis: { type: "value", axisLabel: { color: text, fontSize: axis }, splitLine: { lineStyle: { opacity: 0.2 } } },
          yAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { color: text, fontSize: axis } },
          series: [{ type: "bar", data: rows.map(function (r) { return r[key]; }), itemStyle: { color: RED },
            label: { show: true, position: "right", color: text, fontSize: axis } }]
        }, true);
      },
      months: function (data) {
        chart("months").setOption({
          grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
          tooltip: { trigger: "axis" },
          xAxis: { type: "category", data: data.months.map(function (m) { return m.month; }), axisLabel: { color: text, fontSize: axis } },
          yAxis: { type: "value", axisLabel: { color: text, fontSize: axis }, splitLine: { lineStyle: { opacity: 0.2 } } },
          series: [{ type: "line", smooth: true, data: data.months.map(function (m) { return m.points; }), itemStyle: { color: screen ? GOLD : RED },
            areaStyle: { opacity: 0.15 }, symbolSize: screen ? 10 : 6 }]
        }, true);
      },
      dimensions: function (data) {
        var max = Math.max.apply(null, data.dimensions.map(function (d) { return d.points; }).concat([1]));
        var name = root.parentNode.querySelectorAll("[data-dimensions-name]");
        Array.prototype.forEach.call(name, function (el) { el.textContent = data.name; });
        chart("dimensions").setOption({
          tooltip: {},
          radar: { radius: "65%", axisName: { color: text, fontSize: label },
            indicator: data.dimensions.map(function (d) { return { name: d.label, max: max * 1.1 }; }) },
          series: [{ type: "radar", areaStyle: { opacity: 0.3 }, itemStyle: { color: screen ? GOLD : RED },
            data: [{ name: data.name, value: data.dimensions.map(function (d) { return d.points; }) }] }]
        }, true);
      },
      kinds: function (data) {
        if (!data.kinds.length) return empty("kinds");
        var top = data.kinds.slice(0, 7).map(function (k) { return { name: k.name, value: k.count }; });
        var rest = data.kinds.slice(7).reduce(function (sum, k) { return sum + k.count; }, 0);
        if (rest) top.push({ name: "其他", value: rest });
        chart("kinds").setOption({
          tooltip: { trigger: "item" },
          series: [{ type: "pie", radius: ["35%", "68%"], data: top, label: { color: text, fontSize: label, formatter: "{b}\n{c}" } }]
        }, true);
      },
      compliance: function (data) {
        var note = root.parentNode.querySelectorAll("[data-compliance-text]");
        Array.prototype.forEach.call(note, function (el) {
          el.textContent = data.branches ? data.branches + "个党支部中" + data.complete + "个按要求开展，尚缺会议" + data.missing_meetings + "次" : "暂无党支部";
        });
        chart("compliance").setOption({
          series: [{ type: "gauge", min: 0, max: 100, progress: { show: true, itemStyle: { color: screen ? GOLD : RED } },
            axisLabel: { show: false }, splitLine: { show: false }, axisTick: { show: false }, pointer: { show: false },
            title: { show: true, offsetCenter: [0, "45%"], color: text, fontSize: label },
            detail: { valueAnimation: true, formatter: "{value}%", color: text, fontSize: screen ? 40 : 24, offsetCenter: [0, "-5%"] },
            data: [{ value: data.percent, name: "三会一课" }] }]
        }, true);
      },
      study: function (data) {
        if (!data.lists.length) return empty("study", "暂无学习清单");
        chart("study").setOption({
          grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
          tooltip: {},
          xAxis: { type: "value", max: 100, splitNumber: 2, axisLabel: { color: text, fontSize: axis, formatter: "{value}%" }, splitLine: { lineStyle: { opacity: 0.2 } } },
          yAxis: { type: "category", data: data.lists.map(function (l) { var most = screen ? 8 : 10;
            return l.title.length > most ? l.title.slice(0, most) + "…" : l.title; }),
            axisLabel: { color: text, fontSize: axis } },
          series: [{ type: "bar", data: data.lists.map(function (l) { return l.percent; }), itemStyle: { color: screen ? GOLD : RED },
            label: { show: true, position: "right", color: text, fontSize: axis, formatter: "{c}%" } }]
        }, true);
      },
      counties: function (data) {
        if (!data.counties.length) return empty("counties");
        var values = data.counties.map(function (c) { return c.average; });
        chart("counties").setOption({
          tooltip: { formatter: function (p) { return p.data.name + "<br>人均 " + p.data.value[2] + " 分 · 第" + p.data.rank + "名"; } },
          grid: { left: 4, right: 4, top: 4, bottom: screen ? 56 : 40 },
          xAxis: { type: "category", data: [0, 1, 2, 3, 4], show: false },
          yAxis: { type: "category", data: [0, 1, 2, 3], inverse: true, show: false },
          visualMap: { min: Math.min.apply(null, values), max: Math.max.apply(null, values.concat([Math.min.apply(null, values) + 0.01])),
            orient: "horizontal", left: "center", bottom: 0, calculable: false, itemHeight: screen ? 220 : 140,
            inRange: { color: ["#fde7e7", "#f28b82", RED] }, textStyle: { color: text, fontSize: axis }, text: ["高", "低"] },
          series: [{ type: "heatmap", data: data.counties.map(function (c) { return { name: c.name, rank: c.rank, value: [c.x, c.y, c.average] }; }),
            itemStyle: { borderColor: screen ? "#0b1a33" : "#fff", borderWidth: 3 },
            label: { show: true, color: "#111", fontSize: screen ? 19 : 11, lineHeight: screen ? 26 : 14, formatter: function (p) { return p.data.name + "\n" + p.data.value[2]; } } }]
        }, true);
      }
    };

    function load(name, extra) {
      if (!chart(name)) return Promise.resolve();
      return get(name, extra).then(function (data) { draw[name](data); done(name); }, function () { empty(name, "数据加载失败"); done(name); });
    }

    function loadAll() {
      var names = Object.keys(draw);
      return Promise.all(names.map(function (name) { return load(name, name === "units" && perHead ? "&per_head=true" : ""); })).then(function () {
        var stamp = document.querySelector("[data-updated]");
        if (stamp) stamp.textContent = new Date().toLocaleTimeString("zh-CN", { hour12: false });
        root.setAttribute("data-loaded", String(Number(root.getAttribute("data-loaded") || 0) + 1));
      });
    }

    var toggle = document.querySelector("[data-toggle-per-head]");
    if (toggle) {
      toggle.addEventListener("click", function (event) {
        event.preventDefault();
        perHead = !perHead;
        toggle.textContent = perHead ? "按总分" : "按人均";
        load("units", perHead ? "&per_head=true" : "");
      });
    }

    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (name) { charts[name].resize(); });
    });

    loadAll();
    var seconds = Number(root.getAttribute("data-refresh") || 0);
    if (seconds) {
      window.setInterval(function () {
        if (document.visibilityState === "visible") loadAll();
      }, seconds * 1000);
    }
  });
})();
