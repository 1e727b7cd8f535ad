// The live contest's big screen: asks the API every few seconds and shows, for each contestant,
// every judge's score and the final score once all judges have scored — the dropped highest and
// lowest struck through, as audiences expect. No inline script (CSP); text set as text, never HTML.
(function () {
  "use strict";
  var root = document.getElementById("xb-live");
  if (!root) return;
  var body = root.querySelector("[data-rows]");
  var updated = document.querySelector("[data-updated]");
  var seen = {};

  function cell(row, text, cls) {
    var td = document.createElement("td");
    if (cls) td.className = cls;
    if (text !== undefined) td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function render(data) {
    body.textContent = "";
    data.rows.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.dataset.code = r.code;
      if (r.done && !seen[r.code]) { tr.className = "fresh"; seen[r.code] = true; }
      cell(tr, r.order ? String(r.order) : "");
      cell(tr, (r.name ? r.name + " · " : "") + r.title + (r.unit ? "（" + r.unit + "）" : ""));
      var totals = cell(tr, undefined, "totals");
      if (r.done) {
        r.totals.forEach(function (t) {
          var span = document.createElement("span");
          if (t.dropped) {
            // struck through, and said in words: 去掉的最高分 / 最低分
            var struck = document.createElement("s");
            struck.textContent = t.value;
            var label = document.createElement("small");
            label.textContent = t.dropped === "high" ? "最高" : "最低";
            span.className = "dropped";
            span.dataset.dropped = t.dropped;
            span.appendChild(struck);
            span.appendChild(label);
          } else {
            span.textContent = t.value;
          }
          totals.appendChild(span);
        });
      } else {
        totals.className = "waiting";
        totals.textContent = "评分中 " + r.scored + "/" + r.judges;
      }
      var score = cell(tr, r.done ? r.score : "—", "score");
      score.dataset.testid = "final-score";
      body.appendChild(tr);
    });
    if (updated) updated.textContent = new Date().toLocaleTimeString("zh-CN", { hour12: false });
  }

  function load() {
    fetch(root.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(render)
      .catch(function () { if (updated) updated.textContent = "连接中断，正在重试"; });
  }

  load();
  setInterval(load, 1000 * (parseInt(root.dataset.refresh, 10) || 3));
})();
