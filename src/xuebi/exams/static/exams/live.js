// 现场监考: refresh the figures and the latest submissions from the JSON endpoint every 5 seconds while the
// page is visible (a hidden tab does not poll; it refreshes at once when shown again).
document.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("xb-live");
  if (!root) return;
  var url = root.getAttribute("data-url");
  var timer = null;

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function render(data) {
    root.querySelectorAll("[data-live]").forEach(function (el) {
      var name = el.getAttribute("data-live");
      if (name in data) el.textContent = data[name];
    });
    var body = root.querySelector("[data-testid=live-latest]");
    if (!body) return;
    var rows = data.latest.map(function (a) {
      var tr = document.createElement("tr");
      tr.appendChild(cell(a.time));
      tr.appendChild(cell(a.person));
      tr.appendChild(cell(a.unit));
      var score = cell(a.score === null ? "—" : a.score);
      score.className = "text-end";
      tr.appendChild(score);
      return tr;
    });
    if (!rows.length) {
      var tr = document.createElement("tr");
      var td = cell("还没有人交卷。");
      td.colSpan = 4;
      td.className = "text-muted";
      tr.appendChild(td);
      rows = [tr];
    }
    body.replaceChildren.apply(body, rows);
    root.setAttribute("data-updated", data.now);
  }

  function notice(text) {
    var box = root.querySelector("[data-live-status]");
    if (box) box.textContent = text;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (r.redirected || !json) {
          // polling does not keep a session alive: once signed out, say so instead of showing stale figures
          stop();
          notice("登录已失效，数字已停止刷新。请刷新页面重新登录。");
          return null;
        }
        return r.ok ? r.json() : null;
      })
      .then(function (data) {
        if (data) {
          notice("");
          render(data);
        }
      })
      .catch(function () { notice("网络连接中断，正在重试……"); });
  }

  function start() {
    if (timer === null) timer = window.setInterval(poll, 5000);
  }

  function stop() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      stop();
    } else {
      poll();
      start();
    }
  });
  if (!document.hidden) start();
});
