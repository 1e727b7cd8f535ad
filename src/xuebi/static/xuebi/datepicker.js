/* A date-picker button beside every typed date field (core.forms.TypedDateField marks them with
   data-xb-date). Typing stays as it was — 2001.7, 2001年7月, 2001-07-01 all work; the button opens
   the phone's or browser's own calendar through a hidden <input type="date"> and fills the text
   field with the date picked, written as the pages write dates (2001年7月1日). */
(function () {
  "use strict";

  function isoFrom(text) {
    var m = /^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?\s*$/.exec(text || "");
    if (!m) { return ""; }
    var pad = function (n) { return (n.length < 2 ? "0" : "") + n; };
    return m[1] + "-" + pad(m[2]) + "-" + pad(m[3]);
  }

  function attach(input) {
    if (input.dataset.xbDateReady) { return; }
    input.dataset.xbDateReady = "1";
    var box = document.createElement("div");
    box.className = "xb-date";
    input.parentNode.insertBefore(box, input);
    box.appendChild(input);
    var picker = document.createElement("input");
    picker.type = "date";
    picker.tabIndex = -1;
    picker.setAttribute("aria-hidden", "true");
    picker.dataset.testid = "date-picker-input";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary xb-date-button";
    button.textContent = "📅";
    button.title = "打开日历";
    button.setAttribute("aria-label", "打开日历");
    button.dataset.testid = "date-picker-" + (input.name || "date");
    box.appendChild(button);
    box.appendChild(picker);
    button.addEventListener("click", function () {
      picker.value = isoFrom(input.value);
      if (typeof picker.showPicker === "function") {
        try { picker.showPicker(); return; } catch (e) { /* not allowed here: fall through */ }
      }
      picker.focus();
      picker.click();
    });
    picker.addEventListener("change", function () {
      var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(picker.value);
      if (!m) { return; }
      input.value = m[1] + "年" + parseInt(m[2], 10) + "月" + parseInt(m[3], 10) + "日";
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function init(root) {
    (root || document).querySelectorAll("input[data-xb-date]").forEach(attach);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
