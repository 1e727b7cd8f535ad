// The answer sheet (exams/take/sheet.html): keeps each answer on the server as it is given
// (PUT …/answers, a moment after the last change), counts down the time the server gave, shows
// one question a screen with a grid of numbers, and asks before handing in, listing what is
// unanswered. The server keeps the time: when it says the time is up, the page goes to the result.
// Without this script the sheet is a plain form with 保存 and 交卷.
(function () {
  "use strict";
  var sheet = document.getElementById("xb-sheet");
  if (!sheet) return;
  var form = sheet.querySelector("[data-xb-form]");
  var questions = Array.prototype.slice.call(sheet.querySelectorAll(".xb-q"));
  var grid = sheet.querySelector("[data-xb-grid]");
  var gridButtons = grid ? Array.prototype.slice.call(grid.querySelectorAll("[data-goto]")) : [];
  var statusEl = sheet.querySelector("[data-xb-status]");
  var answeredEl = sheet.querySelector("[data-xb-answered]");
  var prevBtn = sheet.querySelector("[data-xb-prev]");
  var nextBtn = sheet.querySelector("[data-xb-next]");
  var saveBtn = sheet.querySelector("[data-xb-save]");
  var submitBtn = sheet.querySelector("[data-xb-submit]");
  var dialog = sheet.querySelector("[data-xb-confirm]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var oneLayout = sheet.dataset.layout === "one";
  var current = 0;
  var pending = {};
  var timer = null;
  var finished = false;

  sheet.classList.add("xb-js");
  if (saveBtn) saveBtn.hidden = true;
  if (grid) grid.hidden = false;

  function responseOf(fieldset) {
    var type = fieldset.dataset.type;
    var inputs = Array.prototype.slice.call(fieldset.querySelectorAll("input, textarea"));
    if (type === "single" || type === "multiple") {
      var picked = inputs.filter(function (i) { return i.checked; }).map(function (i) { return parseInt(i.value, 10); });
      return picked.length ? picked : null;
    }
    if (type === "truefalse") {
      var checked = inputs.filter(function (i) { return i.checked; })[0];
      return checked ? [checked.value === "true"] : null;
    }
    var values = inputs.map(function (i) { return i.value; });
    return values.some(function (v) { return v.trim() !== ""; }) ? values : null;
  }

  function answeredCount() {
    var n = 0;
    questions.forEach(function (q, i) {
      var done = responseOf(q) !== null;
      if (done) n += 1;
      if (gridButtons[i]) {
        gridButtons[i].classList.toggle("btn-success", done);
        gridButtons[i].classList.toggle("btn-outline-secondary", !done);
      }
    });
    if (answeredEl) answeredEl.textContent = String(n);
    return n;
  }

  function say(text) { if (statusEl) statusEl.textContent = text; }

  function api(url, method, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) { return { ok: resp.ok, status: resp.status, data: data }; });
    });
  }

  function detail(data) {
    var d = data && data.detail;
    if (Array.isArray(d)) return d.map(function (e) { return e.msg; }).join("；");
    return d || "保存失败，请检查网络后重试。";
  }

  function toResult() {
    finished = true;
    window.location.assign(sheet.dataset.resultUrl);
  }

  function flush() {
    var positions = Object.keys(pending);
    if (!positions.length) return Promise.resolve(true);
    var answers = positions.map(function (p) { return { position: parseInt(p, 10), response: pending[p] }; });
    pending = {};
    say("正在保存…");
    return api(sheet.dataset.saveUrl, "PUT", { answers: answers }).then(function (r) {
      if (r.ok) {
        var now = new Date();
        say("已保存 " + now.toTimeString().slice(0, 8));
        if (typeof r.data.seconds_left === "number") setClock(r.data.seconds_left);
        return true;
      }
      if (r.status === 422 && /时间已到|已交卷/.test(detail(r.data))) { toResult(); return false; }
      if (r.status === 401) {
        answers.forEach(function (a) { if (!(a.position in pending)) pending[a.position] = a.response; });
        say("登录已超时，请重新登录后继续（已保存的答案不会丢失）");
        return false;
      }
      answers.forEach(function (a) { if (!(a.position in pending)) pending[a.position] = a.response; });
      say(detail(r.data));
      return false;
    }, function () {
      answers.forEach(function (a) { if (!(a.position in pending)) pending[a.position] = a.response; });
      say("网络中断，答案将在恢复后保存");
      return false;
    });
  }

  function changed(event) {
    var fieldset = event.target.closest(".xb-q");
    if (!fieldset) return;
    pending[fieldset.dataset.position] = responseOf(fieldset);
    answeredCount();
    window.clearTimeout(timer);
    timer = window.setTimeout(flush, 600);
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA" || event.target.type === "text" || !event.target.type) changed(event);
  });

  // one question a screen
  function show(index) {
    current = Math.max(0, Math.min(questions.length - 1, index));
    questions.forEach(function (q, i) { q.classList.toggle("xb-current", i === current); });
    gridButtons.forEach(function (b, i) { b.classList.toggle("xb-here", oneLayout && i === current); });
    if (oneLayout) {
      prevBtn.hidden = current === 0;
      nextBtn.hidden = current === questions.length - 1;
    }
  }
  gridButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      var index = parseInt(button.dataset.goto, 10);
      if (oneLayout) show(index); else questions[index].scrollIntoView({ behavior: "smooth", block: "start" });
    });
  });
  prevBtn.addEventListener("click", function () { flush(); show(current - 1); });
  nextBtn.addEventListener("click", function () { flush(); show(current + 1); });
  show(0);

  // the countdown: the server's figure, counted on this device's monotonic clock
  var clock = sheet.querySelector("[data-xb-clock]");
  var endsAt = null;
  function setClock(secondsLeft) { endsAt = performance.now() + secondsLeft * 1000; }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    if (endsAt === null || finished) return;
    var left = Math.max(0, Math.round((endsAt - performance.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    clock.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
    clock.parentNode.classList.toggle("xb-low", left <= 60);
    if (left === 0) {
      finished = true;
      say("时间到，正在交卷…");
      handIn();
      return;
    }
  }
  if (clock && sheet.dataset.secondsLeft !== "") {
    setClock(parseInt(sheet.dataset.secondsLeft, 10));
    tick();
    window.setInterval(tick, 1000);
  }

  function allAnswers() {
    return questions.map(function (q) { return { position: parseInt(q.dataset.position, 10), response: responseOf(q) }; })
      .filter(function (a) { return a.response !== null; });
  }

  function handIn() {
    window.clearTimeout(timer);
    pending = {};
    submitBtn.disabled = true;
    return api(sheet.dataset.submitUrl, "POST", { answers: allAnswers() }).then(function (r) {
      if (r.ok || r.status === 422) { toResult(); return; }
      submitBtn.disabled = false;
      say(detail(r.data));
    }, function () {
      submitBtn.disabled = false;
      say("网络中断，请恢复网络后再交卷（已保存的答案不会丢失）");
    });
  }

  submitBtn.addEventListener("click", function (event) {
    event.preventDefault();
    var missing = questions.filter(function (q) { return responseOf(q) === null; }).map(function (q) { return q.dataset.position; });
    var text = sheet.querySelector("[data-xb-unanswered]");
    text.textContent = missing.length ? "还有 " + missing.length + " 题未作答：第 " + missing.join("、") + " 题。" : "全部试题均已作答。";
    if (dialog.showModal) dialog.showModal(); else if (window.confirm(text.textContent + "确认交卷？")) handIn();
  });
  sheet.querySelector("[data-xb-cancel]").addEventListener("click", function () { dialog.close(); });
  sheet.querySelector("[data-xb-confirm-submit]").addEventListener("click", function () { dialog.close(); handIn(); });

  // keep what is pending when the page is left (the server has the rest)
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") flush(); });
  window.setInterval(function () { if (Object.keys(pending).length) flush(); }, 10000);
  answeredCount();
})();
